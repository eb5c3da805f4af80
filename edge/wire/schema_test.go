package wire

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var t0 = time.Date(2026, 3, 4, 9, 30, 15, 123456789, time.FixedZone("CST", 8*3600))

func fullCounters() Counters {
	var c Counters
	for _, e := range []Event{
		{Kind: DoorEntry}, {Kind: DoorEntry, AfterHours: true}, {Kind: DoorExit, AfterHours: true},
		{Kind: SessionStart}, {Kind: ModuleStart, Module: "fire"},
		{Kind: StepAnswer, Module: "fire", Step: "fire-q1", Correct: ptr(true)},
		{Kind: StepAnswer, Module: "fire", Step: "fire-q2", Correct: ptr(false)},
		{Kind: ModuleComplete, Module: "fire", Passed: ptr(true)},
		{Kind: Feedback, Rating: 2}, {Kind: SensorFault, Sensor: "door"},
	} {
		c.Add(e)
	}
	return c
}

// testEpoch is a store epoch as the store makes them.
const testEpoch = "5eed0123456789ab"

// samples are real payloads produced by the types, one or more per schema.
func samples(t testing.TB) map[string][][]byte {
	t.Helper()
	m := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	since := t0.Add(-time.Hour)
	return map[string][][]byte{
		SchemaEvent: {
			m(Event{V: 1, Epoch: testEpoch, Seq: 1, Boot: 1, Time: t0, Kind: DoorEntry, Sensor: "door", AfterHours: true}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 2, Boot: 1, Time: t0.UTC(), Kind: StepAnswer, Module: "fire", Step: "fire-q1", Correct: ptr(false)}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 3, Boot: 2, Time: t0, Kind: ModuleComplete, Module: "fire", Score: 4, Total: 5, Passed: ptr(true)}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 4, Boot: 2, Time: t0, Kind: SessionEnd, Reason: ReasonLanguage, Lang: "zh-CN"}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 5, Boot: 2, Time: t0, Kind: Feedback, Rating: 3}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 6, Boot: 2, Time: t0, Kind: PackInstalled, Pack: "builtin", PackVer: "1.2.0"}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 7, Boot: 2, Time: t0, Kind: PackRejected, Pack: "x", Reason: "签名无效 bad signature"}),
		},
		SchemaStatus: {
			m(Status{V: 1, Epoch: testEpoch, Online: true, App: "0.3.0", Pack: "builtin", PackVersion: "1.0.0", Boot: 3, Backlog: 10, Dropped: 1,
				Sensors: map[string]string{"door": "ok", "presence": "stuck high for 10m"}, ConnectedSince: &since, LastError: "", Time: t0}),
			m(Status{V: 1, Epoch: testEpoch, Online: false, App: "0.3.0", Boot: 3, Time: t0, LastError: "dial tcp: connection refused"}),
		},
		SchemaTotals: {
			m(Totals{V: 1, Site: "bantian", Device: "kiosk-1", Epoch: testEpoch, Seq: 99, Boot: 3, Lifetime: fullCounters(), Today: fullCounters(),
				Date: "2026-03-04", TimeZone: "Asia/Shanghai", Time: t0}),
			m(Totals{V: 1, Site: "s", Device: "d", Epoch: testEpoch, Date: "2026-12-31", TimeZone: "UTC", Time: t0}),
		},
		SchemaDaily: {
			m(Daily{V: 1, Epoch: testEpoch, Date: "2026-03-04", Counters: fullCounters(), Seq: 99}),
			m(Daily{V: 1, Epoch: testEpoch, Date: "2026-03-05"}),
		},
	}
}

func TestSchemasCompile(t *testing.T) {
	for _, name := range SchemaNames {
		if _, err := compiled(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := Schema("nope"); err == nil {
		t.Error("unknown schema name accepted")
	}
}

func TestRealPayloadsMatchSchemas(t *testing.T) {
	for name, list := range samples(t) {
		for _, b := range list {
			if err := Validate(name, b); err != nil {
				t.Errorf("%s\n%s", err, b)
			}
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	s := samples(t)
	for _, b := range s[SchemaEvent] {
		e, err := DecodeEvent(b)
		if err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		again, _ := json.Marshal(e)
		if string(again) != string(b) {
			t.Errorf("round trip:\n%s\n%s", b, again)
		}
	}
	for _, b := range s[SchemaTotals] {
		tt, err := DecodeTotals(b)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(tt)
		if string(again) != string(b) {
			t.Errorf("round trip:\n%s\n%s", b, again)
		}
	}
	for _, b := range s[SchemaStatus] {
		if _, err := DecodeStatus(b); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range s[SchemaDaily] {
		d, err := DecodeDaily(b)
		if err != nil {
			t.Fatal(err)
		}
		if d.Date == "2026-03-04" && !d.Counters.Equal(fullCounters()) {
			t.Errorf("daily counters %+v", d.Counters)
		}
	}
}

// mutate decodes a sample, applies f to it and re-encodes it.
func mutate(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemasRefuse(t *testing.T) {
	s := samples(t)
	ev, st, tot, day := s[SchemaEvent][1], s[SchemaStatus][0], s[SchemaTotals][0], s[SchemaDaily][0]
	lifetime := func(f func(c map[string]any)) func(m map[string]any) {
		return func(m map[string]any) { f(m["lifetime"].(map[string]any)) }
	}
	for _, c := range []struct {
		name, schema string
		payload      []byte
		want         string
	}{
		{"not json", SchemaEvent, []byte(`{"v":1,`), "invalid JSON"},
		{"trailing data", SchemaEvent, append(append([]byte{}, ev...), []byte(` {}`)...), "after the value"},
		{"array", SchemaEvent, []byte(`[]`), "want object"},
		{"v 2", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["v"] = 2 }), "/v: must be 1"},
		{"v string", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["v"] = "1" }), "/v: must be 1"},
		{"no seq", SchemaEvent, mutate(t, ev, func(m map[string]any) { delete(m, "seq") }), `missing required property "seq"`},
		{"seq 0", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["seq"] = 0 }), "/seq: 0 is less than 1"},
		{"seq negative", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["seq"] = -5 }), "/seq"},
		{"seq fraction", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["seq"] = 1.5 }), "want integer"},
		{"seq string", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["seq"] = "7" }), "want integer"},
		{"no epoch", SchemaEvent, mutate(t, ev, func(m map[string]any) { delete(m, "epoch") }), `missing required property "epoch"`},
		{"epoch empty", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["epoch"] = "" }), "/epoch"},
		{"epoch upper case", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["epoch"] = "5EED0123456789AB" }), "/epoch"},
		{"epoch number", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["epoch"] = 7 }), "want string"},
		{"status no epoch", SchemaStatus, mutate(t, st, func(m map[string]any) { delete(m, "epoch") }), `"epoch"`},
		{"totals no epoch", SchemaTotals, mutate(t, tot, func(m map[string]any) { delete(m, "epoch") }), `"epoch"`},
		{"daily no epoch", SchemaDaily, mutate(t, day, func(m map[string]any) { delete(m, "epoch") }), `"epoch"`},
		{"daily epoch too long", SchemaDaily, mutate(t, day, func(m map[string]any) { m["epoch"] = testEpoch + "0" }), "/epoch"},
		{"unknown kind", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["kind"] = "door.open" }), "/kind"},
		{"unknown field", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["name"] = "Li" }), "/name: unknown property"},
		{"bad time", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["time"] = "yesterday" }), "/time"},
		{"bad module", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["module"] = "Fire/+" }), "/module"},
		{"correct string", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["correct"] = "yes" }), "want boolean"},
		{"rating 4", SchemaEvent, mutate(t, ev, func(m map[string]any) { m["rating"] = 4 }), "/rating"},
		{"status no sensors", SchemaStatus, mutate(t, st, func(m map[string]any) { delete(m, "sensors") }), `"sensors"`},
		{"status sensors null", SchemaStatus, mutate(t, st, func(m map[string]any) { m["sensors"] = nil }), "/sensors: is null"},
		{"status sensor health number", SchemaStatus, mutate(t, st, func(m map[string]any) { m["sensors"] = map[string]any{"door": 1} }), "/sensors/door"},
		{"status online string", SchemaStatus, mutate(t, st, func(m map[string]any) { m["online"] = "true" }), "/online"},
		{"totals no today", SchemaTotals, mutate(t, tot, func(m map[string]any) { delete(m, "today") }), `"today"`},
		{"totals bad date", SchemaTotals, mutate(t, tot, func(m map[string]any) { m["date"] = "2026-13-01" }), "/date"},
		{"totals negative entries", SchemaTotals, mutate(t, tot, lifetime(func(c map[string]any) { c["entries"] = -1 })), "/lifetime/entries"},
		{"totals unknown counter", SchemaTotals, mutate(t, tot, lifetime(func(c map[string]any) { c["visits"] = 1 })), "/lifetime/visits: unknown property"},
		{"totals feedback 2 items", SchemaTotals, mutate(t, tot, lifetime(func(c map[string]any) { c["feedback"] = []int{1, 2} })), "at least 3"},
		{"totals bad module key", SchemaTotals, mutate(t, tot, lifetime(func(c map[string]any) { c["modules_started"] = map[string]any{"Fire": 1} })), "property name"},
		{"totals bad site", SchemaTotals, mutate(t, tot, func(m map[string]any) { m["site"] = "a/b" }), "/site"},
		{"daily no seq", SchemaDaily, mutate(t, day, func(m map[string]any) { delete(m, "seq") }), `"seq"`},
		{"daily counters missing field", SchemaDaily, mutate(t, day, func(m map[string]any) { delete(m["counters"].(map[string]any), "exits") }), `"exits"`},
	} {
		err := Validate(c.schema, c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	s := samples(t)
	ev := s[SchemaEvent][1]
	for _, c := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"step answer without step", mutate(t, ev, func(m map[string]any) { delete(m, "step") }), "step is required"},
		{"step answer without correct", mutate(t, ev, func(m map[string]any) { delete(m, "correct") }), "correct is required"},
		{"feedback without rating", mutate(t, ev, func(m map[string]any) { m["kind"] = "feedback" }), "rating 0"},
		{"module start without module", mutate(t, ev, func(m map[string]any) { m["kind"] = "module.start"; delete(m, "module") }), "module is required"},
		{"v 2", mutate(t, ev, func(m map[string]any) { m["v"] = 2 }), "must be 1"},
	} {
		_, err := DecodeEvent(c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: DecodeEvent = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := DecodeTotals(s[SchemaStatus][0]); err == nil {
		t.Error("status decoded as totals")
	}
	if _, err := DecodeStatus(s[SchemaTotals][0]); err == nil {
		t.Error("totals decoded as status")
	}
}

func TestEventCheck(t *testing.T) {
	ok := []Event{
		{Kind: DoorEntry},
		{Kind: StepAnswer, Step: "q1", Correct: ptr(true)},
		{Kind: Feedback, Rating: 1},
		{Kind: SessionEnd, Reason: ReasonFinished, Lang: "en"},
		{Kind: SensorFault, Sensor: "buttons.ok", Reason: "stuck"},
	}
	for _, e := range ok {
		if err := e.Check(); err != nil {
			t.Errorf("%+v: %v", e, err)
		}
	}
	bad := []Event{
		{Kind: "visit"},
		{Kind: ""},
		{Kind: ModuleStart},
		{Kind: ModuleStart, Module: "Fire"},
		{Kind: Feedback, Rating: 0},
		{Kind: SessionStart, Lang: "english language"},
		{Kind: SensorFault, Sensor: "door/outer"},
		{Kind: PackRejected, Reason: strings.Repeat("x", 201)},
		{Kind: PackRejected, Reason: "\xff"},
		{Kind: ModuleComplete, Module: "fire", Score: -1},
		{Kind: DoorEntry, Rating: 7},
		{Kind: DoorEntry, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, e := range bad {
		if err := e.Check(); err == nil {
			t.Errorf("%+v accepted", e)
		}
	}
}

func TestValidatorKeywords(t *testing.T) {
	doc := `{
	  "$defs": {"small": {"type": "integer", "maximum": 3}},
	  "type": "object",
	  "properties": {
	    "a": {"$ref": "#/$defs/small"},
	    "b": {"type": ["string", "null"], "minLength": 2, "maxLength": 3},
	    "c": {"enum": ["x", 1, true, {"k": [1]}]},
	    "d": {"type": "array", "items": {"type": "number", "minimum": 0.5}},
	    "e": false
	  },
	  "additionalProperties": {"type": "boolean"}
	}`
	s, err := CompileSchema([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	check := func(js string) error {
		v, err := decodeJSON([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return s.ValidateValue(v)
	}
	for _, js := range []string{`{}`, `{"a": 3}`, `{"b": null}`, `{"b": "汉字"}`, `{"c": {"k": [1.0]}}`, `{"c": 1}`, `{"d": [0.5, 2]}`, `{"z": true}`} {
		if err := check(js); err != nil {
			t.Errorf("%s: %v", js, err)
		}
	}
	for _, js := range []string{`{"a": 4}`, `{"a": "1"}`, `{"b": "x"}`, `{"b": "abcd"}`, `{"c": "y"}`, `{"c": {"k": [2]}}`, `{"d": [0.4]}`, `{"d": {}}`, `{"e": 1}`, `{"z": 1}`, `[]`} {
		if err := check(js); err == nil {
			t.Errorf("%s accepted", js)
		}
	}
	for _, bad := range []string{`{"oneOf": []}`, `{"$ref": "other.json"}`, `{"type": "int"}`, `{"pattern": "("}`, `{"minimum": "1"}`, `[]`, `{"properties": {"a": {"if": {}}}}`} {
		if _, err := CompileSchema([]byte(bad)); err == nil {
			t.Errorf("schema %s compiled", bad)
		}
	}
}

// TestAsyncAPI checks the AsyncAPI document: version 3.0.0, the four
// channels with the topic layout of Topics, an operation per channel, and
// every message payload pointing at an existing schema file.
func TestAsyncAPI(t *testing.T) {
	var doc struct {
		AsyncAPI string `yaml:"asyncapi"`
		Channels map[string]struct {
			Address  string         `yaml:"address"`
			Messages map[string]any `yaml:"messages"`
		} `yaml:"channels"`
		Operations map[string]struct {
			Action  string `yaml:"action"`
			Channel struct {
				Ref string `yaml:"$ref"`
			} `yaml:"channel"`
			Bindings struct {
				MQTT struct {
					QoS    int  `yaml:"qos"`
					Retain bool `yaml:"retain"`
				} `yaml:"mqtt"`
			} `yaml:"bindings"`
		} `yaml:"operations"`
		Components struct {
			Messages map[string]struct {
				Payload struct {
					Schema struct {
						Ref string `yaml:"$ref"`
					} `yaml:"schema"`
				} `yaml:"payload"`
			} `yaml:"messages"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(AsyncAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AsyncAPI != "3.0.0" {
		t.Errorf("asyncapi %q", doc.AsyncAPI)
	}
	tp := Topics{Root: DefaultRoot, Site: "{site}", Device: "{device}"}
	want := map[string]string{"status": tp.Status(), "event": tp.Event(), "totals": tp.Totals(), "daily": tp.Daily("{date}")}
	retained := map[string]bool{"status": true, "event": false, "totals": true, "daily": true}
	for name, addr := range want {
		ch, ok := doc.Channels[name]
		if !ok || ch.Address != addr {
			t.Errorf("channel %s: address %q, want %q", name, ch.Address, addr)
		}
	}
	if len(doc.Operations) != len(want) {
		t.Errorf("%d operations, want %d", len(doc.Operations), len(want))
	}
	for name, op := range doc.Operations {
		ch := strings.TrimPrefix(op.Channel.Ref, "#/channels/")
		if _, ok := want[ch]; !ok || op.Action != "send" {
			t.Errorf("operation %s: channel %q action %q", name, op.Channel.Ref, op.Action)
		}
		if op.Bindings.MQTT.QoS != 1 || op.Bindings.MQTT.Retain != retained[ch] {
			t.Errorf("operation %s: qos %d retain %v", name, op.Bindings.MQTT.QoS, op.Bindings.MQTT.Retain)
		}
	}
	for _, name := range SchemaNames {
		m, ok := doc.Components.Messages[name]
		if !ok {
			t.Errorf("no message %s", name)
			continue
		}
		ref := m.Payload.Schema.Ref
		if ref != "./schema/"+name+".json" {
			t.Errorf("message %s: payload %q", name, ref)
		}
		if _, err := os.Stat(filepath.FromSlash(ref)); err != nil {
			t.Errorf("message %s: %v", name, err)
		}
	}
}

func TestEventSanitized(t *testing.T) {
	for _, e := range []Event{
		{Kind: DoorEntry, Sensor: "door outer/北"},
		{Kind: DoorEntry, Sensor: "-x"},
		{Kind: DoorEntry, Sensor: strings.Repeat("d", 100)},
		{Kind: SensorFault, Sensor: "door", Reason: strings.Repeat("长", 300)},
		{Kind: SensorFault, Reason: "bad \xff byte"},
		{Kind: PackRejected, Pack: "p", PackVer: strings.Repeat("1", 70)},
		{Kind: SessionStart, Lang: "english please"},
	} {
		if e.Check() == nil {
			t.Errorf("%+v passes Check already; not a useful case", e)
		}
		s := e.Sanitized()
		if err := s.Check(); err != nil {
			t.Errorf("%+v sanitized to %+v: %v", e, s, err)
		}
		s.V, s.Epoch, s.Seq, s.Boot, s.Time = 1, testEpoch, 1, 1, t0
		b, _ := json.Marshal(s)
		if err := Validate(SchemaEvent, b); err != nil {
			t.Errorf("sanitized event fails the schema: %v", err)
		}
	}
	good := Event{Kind: SensorFault, Sensor: "button.a", Reason: "stuck", Lang: "zh-CN"}
	if good.Sanitized() != good {
		t.Error("Sanitized changed a good event")
	}
	if (Event{Kind: ModuleStart, Module: "Fire"}).Sanitized().Check() == nil {
		t.Error("Sanitized fixed a counter key")
	}
}
