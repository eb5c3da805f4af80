package wire

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// CONTRACT.md is what dashboard builders read. Its examples are generated
// here from the payload types, so they cannot drift from the code:
//
//	go test ./edge/wire -run TestContract -update
//
// rewrites every block between "<!-- generated: NAME -->" and
// "<!-- end generated -->" from contractExamples.
var update = flag.Bool("update", false, "rewrite CONTRACT.md's generated examples from the payload types")

const contractFile = "CONTRACT.md"

// The examples' device: a kiosk in Shenzhen whose board clock runs in
// China Standard Time, as the boards do.
var (
	exampleZone = time.FixedZone("", 8*3600)
	exampleAt   = time.Date(2026, 3, 4, 15, 42, 7, 318000000, exampleZone)
	exampleTop  = Topics{Root: DefaultRoot, Site: "bantian-xinxue", Device: "kiosk-fire-1"}
	// exampleEpoch is a store epoch as the store makes them.
	exampleEpoch = "3f9c2a7e81d04b65"
	// exampleSHA and exampleSHAOld are .wfpack hashes as offers carry them.
	exampleSHA    = "5d41402abc4b2a76b9719d911017c592ae8c7b3f1e5a4c2b7e9d0f1a2b3c4d5e"
	exampleSHAOld = "0b9c2625dc21ef05f6ad4ddf47c5f203837aa32c6b1d7e0f4a8e2d9c1b3a5f70"
)

func withOffer(s Status, o OfferState) Status {
	s.Offer = &o
	if o.State == OfferInstalled {
		s.PackVersion, s.Pack = o.Version, o.ID
	}
	return s
}

// contractExample is one generated block: the JSON of each payload, indented
// when there is one, one compact line each when there are several.
type contractExample struct {
	schema   string
	payloads []any
}

func exampleCounters(entries uint64, scale uint64) Counters {
	return Counters{
		Entries: entries, Exits: entries - 3*scale, AfterHoursEntries: scale, AfterHoursExits: scale,
		Sessions:         entries / 2,
		ModulesStarted:   map[string]uint64{"fire": 40 * scale, "traffic": 31 * scale},
		ModulesCompleted: map[string]uint64{"fire": 33 * scale, "traffic": 25 * scale},
		ModulesPassed:    map[string]uint64{"fire": 29 * scale, "traffic": 20 * scale},
		AnswersRight:     map[string]uint64{"fire-q-lift": 30 * scale, "fire-q-pan": 27 * scale},
		AnswersWrong:     map[string]uint64{"fire-q-lift": 3 * scale, "fire-q-pan": 6 * scale},
		Feedback:         [3]uint64{2 * scale, 9 * scale, 21 * scale},
		SensorFaults:     0,
	}
}

func contractExamples() map[string]contractExample {
	at := func(d time.Duration) time.Time { return exampleAt.Add(d) }
	yes, no := true, false
	connected := at(-3 * time.Hour).UTC().Truncate(time.Second)
	online := Status{V: Version, Epoch: exampleEpoch, Online: true, App: "1.4.0", Pack: "wufang-builtin", PackVersion: "1.0.0",
		Boot: 12, Backlog: 0, Dropped: 0,
		Sensors:        map[string]string{"door": "ok", "presence": "ok", "button.a": "ok", "button.ok": "ok"},
		ConnectedSince: &connected, Time: at(0).UTC()}
	will := online
	will.Online, will.ConnectedSince = false, nil
	will.Time = connected
	seq := uint64(48213)
	ev := func(d time.Duration, e Event) Event {
		seq++
		e.V, e.Epoch, e.Seq, e.Boot, e.Time = Version, exampleEpoch, seq, 12, at(d)
		return e
	}
	return map[string]contractExample{
		"status":      {SchemaStatus, []any{online}},
		"status-will": {SchemaStatus, []any{will}},
		"event":       {SchemaEvent, []any{ev(0, Event{Kind: DoorEntry, Sensor: "door"})}},
		"event-kinds": {SchemaEvent, []any{
			ev(time.Second, Event{Kind: PresenceStart, Sensor: "presence"}),
			ev(2*time.Second, Event{Kind: SessionStart, Lang: "zh-CN"}),
			ev(5*time.Second, Event{Kind: ModuleStart, Module: "fire"}),
			ev(31*time.Second, Event{Kind: StepAnswer, Module: "fire", Step: "fire-q-pan", Correct: &yes}),
			ev(44*time.Second, Event{Kind: StepAnswer, Module: "fire", Step: "fire-q-lift", Correct: &no}),
			ev(95*time.Second, Event{Kind: ModuleComplete, Module: "fire", Score: 5, Total: 6, Passed: &yes}),
			ev(101*time.Second, Event{Kind: Feedback, Rating: 3}),
			ev(103*time.Second, Event{Kind: SessionEnd, Reason: ReasonFinished, Lang: "zh-CN"}),
			ev(140*time.Second, Event{Kind: PresenceEnd, Sensor: "presence"}),
			ev(150*time.Second, Event{Kind: DoorExit, Sensor: "door"}),
			ev(9*time.Hour, Event{Kind: DoorEntry, Sensor: "door", AfterHours: true}),
			ev(9*time.Hour+time.Minute, Event{Kind: SensorFault, Sensor: "door", Reason: "outer beam blocked for 1m0s: something is in the doorway, or the beam is misaligned or unpowered"}),
			ev(9*time.Hour+2*time.Minute, Event{Kind: SensorOK, Sensor: "door"}),
			ev(9*time.Hour+3*time.Minute, Event{Kind: PackInstalled, Pack: "spring-fair", PackVer: "1.1.0"}),
			ev(9*time.Hour+4*time.Minute, Event{Kind: PackInstalled, Pack: "spring-fair", PackVer: "1.0.0", Reason: "rollback"}),
			ev(9*time.Hour+5*time.Minute, Event{Kind: PackRejected, Pack: "spring-fair", PackVer: "2.0.0",
				Reason: "install pack: unknown signing key: the pack is signed with key 971123036bf34585, which is not in content.trusted_keys"}),
		}},
		"totals": {SchemaTotals, []any{Totals{V: Version, Epoch: exampleEpoch, Site: exampleTop.Site, Device: exampleTop.Device,
			Seq: 48214, Boot: 12, Lifetime: exampleCounters(21873, 100), Today: exampleCounters(214, 1),
			Date: "2026-03-04", TimeZone: "Asia/Shanghai", Time: at(0)}}},
		"offer": {SchemaOffer, []any{Offer{V: Version, ID: "spring-fair", Version: "1.1.0", SHA256: exampleSHA, Size: 2318441,
			URL: "https://hub.district.example:9108/packs/spring-fair-1.1.0.wfpack", Time: at(-time.Hour).UTC()}}},
		"offer-rollback": {SchemaOffer, []any{Offer{V: Version, ID: "spring-fair", Version: "1.0.0", SHA256: exampleSHAOld, Size: 2290117,
			URL: "https://hub.district.example:9108/packs/spring-fair-1.0.0.wfpack", Rollback: true, Time: at(0).UTC()}}},
		"status-offer": {SchemaStatus, []any{
			withOffer(online, OfferState{ID: "spring-fair", Version: "1.1.0", SHA256: exampleSHA, State: OfferPending, Reason: "waiting for the room to close (opening hours)"}),
			withOffer(online, OfferState{ID: "spring-fair", Version: "1.1.0", SHA256: exampleSHA, State: OfferInstalled}),
			withOffer(online, OfferState{ID: "spring-fair", Version: "1.1.0", SHA256: exampleSHA, State: OfferRefused,
				Reason: "the downloaded file's SHA-256 is not the offer's: the file on the hub changed or was damaged"}),
		}},
		"daily": {SchemaDaily, []any{Daily{V: Version, Epoch: exampleEpoch, Date: "2026-03-03", Counters: exampleCounters(187, 1), Seq: 47866}}},
		"offer-events": {SchemaEvent, []any{
			ev(10*time.Hour, Event{Kind: PackInstalled, Pack: "spring-fair", PackVer: "1.1.0"}),
			ev(10*time.Hour+time.Minute, Event{Kind: PackRejected, Pack: "spring-fair", PackVer: "1.2.0",
				Reason: "pack offer: the downloaded file's SHA-256 0b9c2625dc21ef05 is not the offer's 5d41402abc4b2a76: the file on the hub changed or was damaged"}),
			ev(10*time.Hour+2*time.Minute, Event{Kind: PackRejected, Pack: "spring-fair", PackVer: "1.2.0",
				Reason: "pack offer: the offered URL https://elsewhere.example/p.wfpack is not on this device's hub https://hub.district.example:9108 (content.hub_url); only the hub's own files are fetched"}),
			ev(10*time.Hour+3*time.Minute, Event{Kind: PackRejected, Pack: "spring-fair", PackVer: "0.9.0",
				Reason: "install pack: lower version: spring-fair 0.9.0 is older than the active 1.1.0; to go back to it on purpose, roll back, or install it again allowing a downgrade (wufang-pack install --allow-downgrade)"}),
		}},
	}
}

// render is the text between the markers of one example.
func (x contractExample) render() (string, error) {
	var b strings.Builder
	b.WriteString("```json\n")
	for _, p := range x.payloads {
		var out []byte
		var err error
		if len(x.payloads) == 1 {
			out, err = json.MarshalIndent(p, "", "  ")
			out = compactArrays(out)
		} else {
			out, err = json.Marshal(p)
		}
		if err != nil {
			return "", err
		}
		b.Write(out)
		b.WriteByte('\n')
	}
	b.WriteString("```\n")
	return b.String(), nil
}

// compactArrays puts arrays of numbers (the feedback counts) on one line.
func compactArrays(b []byte) []byte {
	return numberArray.ReplaceAllFunc(b, func(m []byte) []byte {
		var buf bytes.Buffer
		if err := json.Compact(&buf, m); err != nil {
			return m
		}
		return bytes.ReplaceAll(buf.Bytes(), []byte(","), []byte(", "))
	})
}

var (
	numberArray = regexp.MustCompile(`\[[\s0-9,]*\]`)
	generated   = regexp.MustCompile("(?s)<!-- generated: ([a-z-]+) -->\n(.*?)<!-- end generated -->")
)

func decodeAs(schema string, b []byte) error {
	var err error
	switch schema {
	case SchemaEvent:
		_, err = DecodeEvent(b)
	case SchemaStatus:
		_, err = DecodeStatus(b)
	case SchemaTotals:
		_, err = DecodeTotals(b)
	case SchemaDaily:
		_, err = DecodeDaily(b)
	case SchemaOffer:
		_, err = DecodeOffer(b)
	default:
		err = fmt.Errorf("no decoder for %q", schema)
	}
	return err
}

// TestContractExamples checks that every example in CONTRACT.md is what
// the payload types produce today and passes the strict decoders (schema
// and Event.Check), and that every example the code makes is in the doc.
func TestContractExamples(t *testing.T) {
	doc, err := os.ReadFile(contractFile)
	if err != nil {
		t.Fatal(err)
	}
	examples := contractExamples()
	seen := map[string]bool{}
	var problems []string
	out := generated.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := generated.FindSubmatch(m)
		name, have := string(sub[1]), string(sub[2])
		x, ok := examples[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s has a generated block %q that the test does not make; remove it or add it to contractExamples", contractFile, name))
			return m
		}
		seen[name] = true
		want, err := x.render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range x.payloads {
			b, _ := json.Marshal(p)
			if err := decodeAs(x.schema, b); err != nil {
				t.Errorf("example %s does not pass the %s decoder: %v\n%s", name, x.schema, err, b)
			}
		}
		if have != want {
			problems = append(problems, fmt.Sprintf("example %s differs from what the payload types produce:\n--- in %s\n%s--- from the code\n%s", name, contractFile, have, want))
		}
		return fmt.Appendf(nil, "<!-- generated: %s -->\n%s<!-- end generated -->", name, want)
	})
	for name := range examples {
		if !seen[name] {
			problems = append(problems, fmt.Sprintf("%s has no block <!-- generated: %s --> … <!-- end generated -->", contractFile, name))
		}
	}
	if *update {
		if !bytes.Equal(out, doc) {
			if err := os.WriteFile(contractFile, out, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the examples in %s", contractFile)
		}
		return
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Log("run: go test ./edge/wire -run TestContract -update (and review the diff of CONTRACT.md)")
	}
}

// TestContractNamesEverything checks that CONTRACT.md names every event
// kind, every payload field and every topic of the code, and that the
// concrete topics it shows are ones ParseTopic accepts: adding a field or a
// kind without documenting it fails here.
func TestContractNamesEverything(t *testing.T) {
	b, err := os.ReadFile(contractFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	// Fields must be described in the prose or a table (in backticks), not
	// only appear in a generated example.
	described := func(s string) bool { return strings.Contains(doc, "`"+s+"`") }
	for k := range knownKinds {
		if !strings.Contains(doc, "`"+string(k)+"`") {
			t.Errorf("%s does not name the event kind `%s`", contractFile, k)
		}
	}
	for _, v := range []any{Event{}, Status{}, Totals{}, Daily{}, Counters{}, Offer{}, OfferState{}} {
		rt := reflect.TypeOf(v)
		for f := range rt.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" && !described(name) {
				t.Errorf("%s does not describe the %s field `%s`", contractFile, rt.Name(), name)
			}
		}
	}
	for _, r := range []string{ReasonFinished, ReasonIdle, ReasonLanguage} {
		if !strings.Contains(doc, `"`+r+`"`) {
			t.Errorf("%s does not name the session.end reason %q", contractFile, r)
		}
	}
	topics := []string{exampleTop.Status(), exampleTop.Event(), exampleTop.Totals(), exampleTop.Daily("2026-03-03"),
		exampleTop.Offer(), exampleTop.SiteOffer()}
	for _, tp := range topics {
		if !strings.Contains(doc, "`"+tp+"`") {
			t.Errorf("%s does not show the topic `%s`", contractFile, tp)
		}
	}
	for _, m := range regexp.MustCompile("`("+regexp.QuoteMeta(DefaultRoot)+"/[^`+#{}]*)`").FindAllStringSubmatch(doc, -1) {
		_, _, _, ok := ParseTopic(DefaultRoot, m[1])
		if _, _, offer := ParseOfferTopic(DefaultRoot, m[1]); !ok && !offer {
			t.Errorf("%s shows the topic `%s`, which is neither a device topic nor an offer topic", contractFile, m[1])
		}
	}
}
