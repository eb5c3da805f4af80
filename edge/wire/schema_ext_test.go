package wire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/edge/wire/wiretest"
)

// The payloads the types produce match the published schemas, checked by a
// complete JSON Schema validator (wiretest).
func TestRealPayloadsMatchSchemas(t *testing.T) {
	for name, list := range wire.Samples(t) {
		for _, b := range list {
			if err := wiretest.Validate(name, b); err != nil {
				t.Errorf("%s\n%s", err, b)
			}
		}
	}
	if len(wire.Samples(t)) != len(wire.SchemaNames) {
		t.Errorf("samples for %d schemas, want all %d", len(wire.Samples(t)), len(wire.SchemaNames))
	}
}

func TestSchemasRefuse(t *testing.T) {
	s := wire.Samples(t)
	ev, st, tot, day := s[wire.SchemaEvent][1], s[wire.SchemaStatus][0], s[wire.SchemaTotals][0], s[wire.SchemaDaily][0]
	off, stOff := s[wire.SchemaOffer][0], s[wire.SchemaStatus][2]
	lifetime := func(f func(c map[string]any)) func(m map[string]any) {
		return func(m map[string]any) { f(m["lifetime"].(map[string]any)) }
	}
	for _, c := range []struct {
		name, schema string
		payload      []byte
		want         string
	}{
		{"not json", wire.SchemaEvent, []byte(`{"v":1,`), "invalid JSON"},
		{"trailing data", wire.SchemaEvent, append(append([]byte{}, ev...), []byte(` {}`)...), "invalid JSON"},
		{"array", wire.SchemaEvent, []byte(`[]`), "want object"},
		{"v 2", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["v"] = 2 }), "at '/v'"},
		{"v string", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["v"] = "1" }), "at '/v'"},
		{"no seq", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { delete(m, "seq") }), "missing property 'seq'"},
		{"seq 0", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["seq"] = 0 }), "at '/seq'"},
		{"seq negative", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["seq"] = -5 }), "at '/seq'"},
		{"seq fraction", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["seq"] = 1.5 }), "want integer"},
		{"seq string", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["seq"] = "7" }), "want integer"},
		{"no epoch", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { delete(m, "epoch") }), "missing property 'epoch'"},
		{"epoch empty", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["epoch"] = "" }), "at '/epoch'"},
		{"epoch upper case", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["epoch"] = "5EED0123456789AB" }), "at '/epoch'"},
		{"epoch number", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["epoch"] = 7 }), "want string"},
		{"status no epoch", wire.SchemaStatus, wire.Mutate(t, st, func(m map[string]any) { delete(m, "epoch") }), "'epoch'"},
		{"totals no epoch", wire.SchemaTotals, wire.Mutate(t, tot, func(m map[string]any) { delete(m, "epoch") }), "'epoch'"},
		{"daily no epoch", wire.SchemaDaily, wire.Mutate(t, day, func(m map[string]any) { delete(m, "epoch") }), "'epoch'"},
		{"daily epoch too long", wire.SchemaDaily, wire.Mutate(t, day, func(m map[string]any) { m["epoch"] = wire.TestEpoch + "0" }), "at '/epoch'"},
		{"unknown kind", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["kind"] = "door.open" }), "at '/kind'"},
		{"unknown field", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["name"] = "Li" }), "at '': additional properties 'name'"},
		{"bad time", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["time"] = "yesterday" }), "at '/time'"},
		{"bad module", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["module"] = "Fire/+" }), "at '/module'"},
		{"correct string", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["correct"] = "yes" }), "want boolean"},
		{"rating 4", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { m["rating"] = 4 }), "at '/rating'"},
		{"status no sensors", wire.SchemaStatus, wire.Mutate(t, st, func(m map[string]any) { delete(m, "sensors") }), "'sensors'"},
		{"status sensors null", wire.SchemaStatus, wire.Mutate(t, st, func(m map[string]any) { m["sensors"] = nil }), "at '/sensors'"},
		{"status sensor health number", wire.SchemaStatus, wire.Mutate(t, st, func(m map[string]any) { m["sensors"] = map[string]any{"door": 1} }), "at '/sensors/door'"},
		{"status online string", wire.SchemaStatus, wire.Mutate(t, st, func(m map[string]any) { m["online"] = "true" }), "at '/online'"},
		{"totals no today", wire.SchemaTotals, wire.Mutate(t, tot, func(m map[string]any) { delete(m, "today") }), "'today'"},
		{"totals bad date", wire.SchemaTotals, wire.Mutate(t, tot, func(m map[string]any) { m["date"] = "2026-13-01" }), "at '/date'"},
		{"totals negative entries", wire.SchemaTotals, wire.Mutate(t, tot, lifetime(func(c map[string]any) { c["entries"] = -1 })), "at '/lifetime/entries'"},
		{"totals unknown counter", wire.SchemaTotals, wire.Mutate(t, tot, lifetime(func(c map[string]any) { c["visits"] = 1 })), "at '/lifetime': additional properties 'visits'"},
		{"totals feedback 2 items", wire.SchemaTotals, wire.Mutate(t, tot, lifetime(func(c map[string]any) { c["feedback"] = []int{1, 2} })), "at '/lifetime/feedback'"},
		{"totals bad module key", wire.SchemaTotals, wire.Mutate(t, tot, lifetime(func(c map[string]any) { c["modules_started"] = map[string]any{"Fire": 1} })), "invalid propertyName 'Fire'"},
		{"totals bad site", wire.SchemaTotals, wire.Mutate(t, tot, func(m map[string]any) { m["site"] = "a/b" }), "at '/site'"},
		{"offer no sha256", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { delete(m, "sha256") }), "'sha256'"},
		{"offer sha256 short", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["sha256"] = "abc" }), "at '/sha256'"},
		{"offer size 0", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["size"] = 0 }), "at '/size'"},
		{"offer ftp url", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["url"] = "ftp://hub/p.wfpack" }), "at '/url'"},
		{"offer url with user", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["url"] = "https://u:p@hub/p.wfpack" }), "at '/url'"},
		{"offer unknown field", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["allow_unsigned"] = true }), "additional properties 'allow_unsigned'"},
		{"offer bad id", wire.SchemaOffer, wire.Mutate(t, off, func(m map[string]any) { m["id"] = "A/B" }), "at '/id'"},
		{"status offer bad state", wire.SchemaStatus, wire.Mutate(t, stOff, func(m map[string]any) { m["offer"].(map[string]any)["state"] = "maybe" }), "at '/offer/state'"},
		{"status offer no sha256", wire.SchemaStatus, wire.Mutate(t, stOff, func(m map[string]any) { delete(m["offer"].(map[string]any), "sha256") }), "'sha256'"},
		// What each kind needs (Event.Check), the schema requires too.
		{"step.answer no correct", wire.SchemaEvent, wire.Mutate(t, ev, func(m map[string]any) { delete(m, "correct") }), "missing property 'correct'"},
		{"module.complete no module", wire.SchemaEvent, wire.Mutate(t, s[wire.SchemaEvent][2], func(m map[string]any) { delete(m, "module") }), "missing property 'module'"},
		{"feedback no rating", wire.SchemaEvent, wire.Mutate(t, s[wire.SchemaEvent][4], func(m map[string]any) { delete(m, "rating") }), "missing property 'rating'"},
		{"pack.installed no pack_version", wire.SchemaEvent, wire.Mutate(t, s[wire.SchemaEvent][5], func(m map[string]any) { delete(m, "pack_version") }), "missing property 'pack_version'"},
		{"pack.installed no pack", wire.SchemaEvent, wire.Mutate(t, s[wire.SchemaEvent][5], func(m map[string]any) { delete(m, "pack") }), "missing property 'pack'"},
		{"pack.rejected no reason", wire.SchemaEvent, wire.Mutate(t, s[wire.SchemaEvent][6], func(m map[string]any) { delete(m, "reason") }), "missing property 'reason'"},
		{"daily no seq", wire.SchemaDaily, wire.Mutate(t, day, func(m map[string]any) { delete(m, "seq") }), "'seq'"},
		{"daily counters missing field", wire.SchemaDaily, wire.Mutate(t, day, func(m map[string]any) { delete(m["counters"].(map[string]any), "exits") }), "'exits'"},
	} {
		err := wiretest.Validate(c.schema, c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: wiretest.Validate = %v, want an error containing %q", c.name, err, c.want)
		}
		// The strict decoders refuse what the schemas refuse.
		if err := wire.DecodeAs(c.schema, c.payload); err == nil {
			t.Errorf("%s: the %s decoder accepts what its schema refuses", c.name, c.schema)
		}
	}
}

func TestEventSanitized(t *testing.T) {
	for _, e := range []wire.Event{
		{Kind: wire.DoorEntry, Sensor: "door outer/北"},
		{Kind: wire.DoorEntry, Sensor: "-x"},
		{Kind: wire.DoorEntry, Sensor: strings.Repeat("d", 100)},
		{Kind: wire.SensorFault, Sensor: "door", Reason: strings.Repeat("长", 300)},
		{Kind: wire.SensorFault, Reason: "bad \xff byte"},
		{Kind: wire.PackRejected, Pack: "p", PackVer: strings.Repeat("1", 70), Reason: "install pack: lower version"},
		{Kind: wire.SessionStart, Lang: "english please"},
	} {
		if e.Check() == nil {
			t.Errorf("%+v passes Check already; not a useful case", e)
		}
		s := e.Sanitized()
		if err := s.Check(); err != nil {
			t.Errorf("%+v sanitized to %+v: %v", e, s, err)
		}
		s.V, s.Epoch, s.Seq, s.Boot, s.Time = 1, wire.TestEpoch, 1, 1, time.Now()
		b, _ := json.Marshal(s)
		if err := wiretest.Validate(wire.SchemaEvent, b); err != nil {
			t.Errorf("sanitized event fails the schema: %v", err)
		}
	}
	good := wire.Event{Kind: wire.SensorFault, Sensor: "button.a", Reason: "stuck", Lang: "zh-CN"}
	if good.Sanitized() != good {
		t.Error("Sanitized changed a good event")
	}
	if (wire.Event{Kind: wire.ModuleStart, Module: "Fire"}).Sanitized().Check() == nil {
		t.Error("Sanitized fixed a counter key")
	}
}
