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
		{Kind: StepAnswer, Module: "fire", Step: "fire-q1", Correct: new(true)},
		{Kind: StepAnswer, Module: "fire", Step: "fire-q2", Correct: new(false)},
		{Kind: ModuleComplete, Module: "fire", Passed: new(true)},
		{Kind: Feedback, Rating: 2}, {Kind: SensorFault, Sensor: "door"},
	} {
		c.Add(e)
	}
	return c
}

// testEpoch is a store epoch as the store makes them.
const testEpoch = "5eed0123456789ab"

// testSHA is a SHA-256 as offers carry them.
const testSHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

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
			m(Event{V: 1, Epoch: testEpoch, Seq: 2, Boot: 1, Time: t0.UTC(), Kind: StepAnswer, Module: "fire", Step: "fire-q1", Correct: new(false)}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 3, Boot: 2, Time: t0, Kind: ModuleComplete, Module: "fire", Score: 4, Total: 5, Passed: new(true)}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 4, Boot: 2, Time: t0, Kind: SessionEnd, Reason: ReasonLanguage, Lang: "zh-CN"}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 5, Boot: 2, Time: t0, Kind: Feedback, Rating: 3}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 6, Boot: 2, Time: t0, Kind: PackInstalled, Pack: "builtin", PackVer: "1.2.0"}),
			m(Event{V: 1, Epoch: testEpoch, Seq: 7, Boot: 2, Time: t0, Kind: PackRejected, Pack: "x", Reason: "签名无效 bad signature"}),
		},
		SchemaStatus: {
			m(Status{V: 1, Epoch: testEpoch, Online: true, App: "0.3.0", Pack: "builtin", PackVersion: "1.0.0", Boot: 3, Backlog: 10, Dropped: 1,
				Sensors: map[string]string{"door": "ok", "presence": "stuck high for 10m"}, ConnectedSince: &since, LastError: "", Time: t0}),
			m(Status{V: 1, Epoch: testEpoch, Online: false, App: "0.3.0", Boot: 3, Time: t0, LastError: "dial tcp: connection refused"}),
			m(Status{V: 1, Epoch: testEpoch, Online: true, App: "0.3.0", Pack: "builtin", PackVersion: "1.0.0", Boot: 3, Time: t0,
				Offer: &OfferState{ID: "spring-fair", Version: "1.1.0", SHA256: testSHA, State: OfferRefused, Reason: "the file's SHA-256 is not the offer's"}}),
		},
		SchemaOffer: {
			m(Offer{V: 1, ID: "spring-fair", Version: "1.1.0", SHA256: testSHA, Size: 81234, URL: "https://hub.example.org:9108/packs/spring-fair-1.1.0.wfpack", Time: t0.UTC()}),
			m(Offer{V: 1, ID: "spring-fair", Version: "1.0.0", SHA256: testSHA, Size: 1, URL: "http://127.0.0.1:9108/packs/a.wfpack", Rollback: true, Time: t0}),
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

func TestUnknownSchema(t *testing.T) {
	if _, err := Schema("nope"); err == nil {
		t.Error("unknown schema name accepted")
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
	if _, err := DecodeOffer(s[SchemaStatus][0]); err == nil {
		t.Error("status decoded as an offer")
	}
}

func TestDecodeOffer(t *testing.T) {
	s := samples(t)
	for _, b := range s[SchemaOffer] {
		o, err := DecodeOffer(b)
		if err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		again, _ := json.Marshal(o)
		if string(again) != string(b) {
			t.Errorf("round trip:\n%s\n%s", b, again)
		}
	}
	offer := s[SchemaOffer][0]
	for _, c := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"empty (a withdrawal, not an offer)", []byte{}, "invalid JSON"},
		{"no sha256", mutate(t, offer, func(m map[string]any) { delete(m, "sha256") }), `"sha256"`},
		{"sha256 upper case", mutate(t, offer, func(m map[string]any) { m["sha256"] = strings.ToUpper(testSHA) }), "/sha256"},
		{"sha256 short", mutate(t, offer, func(m map[string]any) { m["sha256"] = testSHA[:63] }), "/sha256"},
		{"no url", mutate(t, offer, func(m map[string]any) { delete(m, "url") }), `"url"`},
		{"ftp url", mutate(t, offer, func(m map[string]any) { m["url"] = "ftp://hub/p.wfpack" }), "/url"},
		{"file url", mutate(t, offer, func(m map[string]any) { m["url"] = "file:///etc/passwd" }), "/url"},
		{"url with user", mutate(t, offer, func(m map[string]any) { m["url"] = "https://u:p@hub/p.wfpack" }), "/url"},
		{"relative url", mutate(t, offer, func(m map[string]any) { m["url"] = "/packs/p.wfpack" }), "/url"},
		{"size 0", mutate(t, offer, func(m map[string]any) { m["size"] = 0 }), "/size"},
		{"size negative", mutate(t, offer, func(m map[string]any) { m["size"] = -1 }), "/size"},
		{"size too big", mutate(t, offer, func(m map[string]any) { m["size"] = MaxOfferSize + 1 }), "/size"},
		{"bad id", mutate(t, offer, func(m map[string]any) { m["id"] = "Spring/Fair" }), "/id"},
		{"bad version", mutate(t, offer, func(m map[string]any) { m["version"] = "1.0 beta" }), "/version"},
		{"v 2", mutate(t, offer, func(m map[string]any) { m["v"] = 2 }), "/v"},
		{"unknown field", mutate(t, offer, func(m map[string]any) { m["allow_unsigned"] = true }), "unknown field"},
		{"rollback string", mutate(t, offer, func(m map[string]any) { m["rollback"] = "yes" }), "rollback"},
	} {
		_, err := DecodeOffer(c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: DecodeOffer = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	st := s[SchemaStatus][2]
	for _, f := range []func(m map[string]any){
		func(m map[string]any) { m["offer"].(map[string]any)["state"] = "maybe" },
		func(m map[string]any) { delete(m["offer"].(map[string]any), "sha256") },
		func(m map[string]any) { m["offer"].(map[string]any)["reason"] = strings.Repeat("x", 201) },
	} {
		if _, err := DecodeStatus(mutate(t, st, f)); err == nil {
			t.Errorf("a bad status offer was accepted: %s", mutate(t, st, f))
		}
	}
}

func TestOfferTopics(t *testing.T) {
	tp, err := NewTopics(DefaultRoot, "bantian", "kiosk-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tp.Offer(); got != "wufang/v1/_offers/bantian/kiosk-1" {
		t.Errorf("Offer() = %q", got)
	}
	if got := tp.SiteOffer(); got != "wufang/v1/_offers/bantian/_all" {
		t.Errorf("SiteOffer() = %q", got)
	}
	for _, topic := range []string{tp.Offer(), tp.SiteOffer()} {
		if _, _, _, ok := ParseTopic(DefaultRoot, topic); ok {
			t.Errorf("ParseTopic takes the offer topic %s for a device topic", topic)
		}
		site, dev, ok := ParseOfferTopic(DefaultRoot, topic)
		if !ok || site != "bantian" || (dev != "kiosk-1" && dev != OfferAll) {
			t.Errorf("ParseOfferTopic(%s) = %q %q %v", topic, site, dev, ok)
		}
	}
	for _, bad := range []string{"wufang/v1/_offers/bantian", "wufang/v1/_offers/bantian/kiosk-1/x", "wufang/v1/_offers/Bantian/k",
		"wufang/v1/bantian/kiosk-1/status", "wufang/v1/_offers/bantian/_none"} {
		if _, _, ok := ParseOfferTopic(DefaultRoot, bad); ok {
			t.Errorf("ParseOfferTopic accepts %s", bad)
		}
	}
	if _, err := OfferTopic(DefaultRoot, "bantian", "_x"); err == nil {
		t.Error("OfferTopic accepts device _x")
	}
	if got, err := OfferTopic(DefaultRoot, "bantian", OfferAll); err != nil || got != tp.SiteOffer() {
		t.Errorf("OfferTopic(_all) = %q, %v", got, err)
	}
	if ValidID(OfferAll) || ValidID(OffersLevel) {
		t.Error("_all or _offers is a valid id: offers could collide with a device's topics")
	}
}

func TestEventCheck(t *testing.T) {
	ok := []Event{
		{Kind: DoorEntry},
		{Kind: StepAnswer, Step: "q1", Correct: new(true)},
		{Kind: Feedback, Rating: 1},
		{Kind: SessionEnd, Reason: ReasonFinished, Lang: "en"},
		{Kind: SensorFault, Sensor: "buttons.ok", Reason: "stuck"},
		{Kind: PackInstalled, Pack: "spring-fair", PackVer: "1.1.0"},
		{Kind: PackRejected, Reason: "install pack: not a content pack"},
		{Kind: PackRejected, Pack: "spring-fair", PackVer: "2.0.0", Reason: "install pack: lower version"},
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
		{Kind: PackInstalled, Pack: "spring-fair"},
		{Kind: PackInstalled, PackVer: "1.1.0"},
		{Kind: PackRejected, Pack: "spring-fair", PackVer: "2.0.0"},
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
	want := map[string]string{"status": tp.Status(), "event": tp.Event(), "totals": tp.Totals(), "daily": tp.Daily("{date}"),
		"offer": tp.Offer(), "siteOffer": tp.SiteOffer()}
	retained := map[string]bool{"status": true, "event": false, "totals": true, "daily": true, "offer": true, "siteOffer": true}
	// The device receives offers; it sends everything else.
	action := map[string]string{"status": "send", "event": "send", "totals": "send", "daily": "send", "offer": "receive", "siteOffer": "receive"}
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
		if _, ok := want[ch]; !ok || op.Action != action[ch] {
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

// TestAsyncAPIPackEvents: the event channel names the answers to an offer
// as messages of their own, each the event schema narrowed to its kind,
// with the fields Event.Check requires of it.
func TestAsyncAPIPackEvents(t *testing.T) {
	type narrowed struct {
		Payload struct {
			Schema struct {
				AllOf []struct {
					Ref        string `yaml:"$ref"`
					Properties struct {
						Kind struct {
							Const string `yaml:"const"`
						} `yaml:"kind"`
					} `yaml:"properties"`
					Required []string `yaml:"required"`
				} `yaml:"allOf"`
			} `yaml:"schema"`
		} `yaml:"payload"`
	}
	var doc struct {
		Channels map[string]struct {
			Messages map[string]struct {
				Ref string `yaml:"$ref"`
			} `yaml:"messages"`
		} `yaml:"channels"`
		Components struct {
			Messages map[string]narrowed `yaml:"messages"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(AsyncAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		kind     Kind
		required string
		without  Event
	}{
		"packInstalled": {PackInstalled, "pack pack_version", Event{Kind: PackInstalled, Pack: "p"}},
		"packRejected":  {PackRejected, "reason", Event{Kind: PackRejected, Pack: "p", PackVer: "1.0.0"}},
	} {
		if ref := doc.Channels["event"].Messages[name].Ref; ref != "#/components/messages/"+name {
			t.Errorf("the event channel's message %s: %q", name, ref)
		}
		all := doc.Components.Messages[name].Payload.Schema.AllOf
		if len(all) != 2 || all[0].Ref != "./schema/event.json" || all[1].Properties.Kind.Const != string(c.kind) ||
			strings.Join(all[1].Required, " ") != c.required {
			t.Errorf("message %s: %+v", name, all)
		}
		if c.without.Check() == nil {
			t.Errorf("%s without %s passes Check", c.kind, c.required)
		}
	}
}
