package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

var (
	langPattern   = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$`)
	sensorPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
)

var knownKinds = map[Kind]bool{DoorEntry: true, DoorExit: true, PresenceStart: true, PresenceEnd: true,
	SessionStart: true, ModuleStart: true, StepAnswer: true, ModuleComplete: true, SessionEnd: true,
	Feedback: true, SensorFault: true, SensorOK: true, PackInstalled: true, PackRejected: true}

// ValidLang reports whether s has the form of a language tag the contract
// carries (schema/event.json's lang pattern): en, zh-CN, zh-Hans-CN.
func ValidLang(s string) bool { return langPattern.MatchString(s) }

// Known reports whether k is one of the event kinds of the contract.
func (k Kind) Known() bool { return knownKinds[k] }

// Check reports whether the event's own fields (everything but V, Epoch, Seq and
// Boot, which the store assigns) are within the contract: a known kind, the
// fields its kind needs, ids and texts the schema accepts. The store refuses
// events that fail it, so nothing it publishes can fail the event schema.
func (e Event) Check() error {
	if !e.Kind.Known() {
		return fmt.Errorf("wire: event kind %q is unknown", e.Kind)
	}
	if y := e.Time.Year(); !e.Time.IsZero() && (y < 1 || y > 9999) {
		return fmt.Errorf("wire: %s event: time %v out of range", e.Kind, e.Time)
	}
	need := func(field, v string) error {
		if v == "" {
			return fmt.Errorf("wire: %s event: %s is required", e.Kind, field)
		}
		return nil
	}
	var err error
	switch e.Kind {
	case ModuleStart, ModuleComplete:
		err = need("module", e.Module)
	case StepAnswer:
		if err = need("step", e.Step); err == nil && e.Correct == nil {
			err = fmt.Errorf("wire: %s event: correct is required", e.Kind)
		}
	case Feedback:
		if e.Rating < 1 || e.Rating > 3 {
			err = fmt.Errorf("wire: feedback event: rating %d, want 1, 2 or 3", e.Rating)
		}
	case PackInstalled:
		if err = need("pack", e.Pack); err == nil {
			err = need("pack_version", e.PackVer)
		}
	case PackRejected:
		err = need("reason", e.Reason)
	}
	if err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"module", e.Module}, {"step", e.Step}, {"pack", e.Pack}} {
		if f.v != "" && !ValidID(f.v) {
			return fmt.Errorf("wire: %s event: %s %q must match [a-z0-9][a-z0-9-]{0,62}", e.Kind, f.name, f.v)
		}
	}
	switch {
	case e.Lang != "" && !ValidLang(e.Lang):
		return fmt.Errorf("wire: %s event: lang %q is not a language tag", e.Kind, e.Lang)
	case e.Sensor != "" && !sensorPattern.MatchString(e.Sensor):
		return fmt.Errorf("wire: %s event: sensor name %q must match [A-Za-z0-9][A-Za-z0-9._-]{0,62}", e.Kind, e.Sensor)
	case !utf8.ValidString(e.Reason) || utf8.RuneCountInString(e.Reason) > 200:
		return fmt.Errorf("wire: %s event: reason must be valid UTF-8 of at most 200 characters", e.Kind)
	case !utf8.ValidString(e.PackVer) || utf8.RuneCountInString(e.PackVer) > 64:
		return fmt.Errorf("wire: %s event: pack_version must be valid UTF-8 of at most 64 characters", e.Kind)
	case e.Score < 0 || e.Score > 10000 || e.Total < 0 || e.Total > 10000:
		return fmt.Errorf("wire: %s event: score and total must be within 0..10000", e.Kind)
	case e.Rating < 0 || e.Rating > 3:
		return fmt.Errorf("wire: %s event: rating %d out of range", e.Kind, e.Rating)
	}
	return nil
}

// DecodeEvent decodes an event payload strictly: it must match the event
// schema (version 1, required fields, types, no unknown fields) and pass
// Event.Check.
func DecodeEvent(b []byte) (Event, error) {
	var e Event
	if err := decodeStrict(SchemaEvent, b, &e); err != nil {
		return Event{}, err
	}
	if err := e.Check(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// DecodeStatus decodes a status payload strictly (see DecodeEvent).
func DecodeStatus(b []byte) (Status, error) {
	var s Status
	err := decodeStrict(SchemaStatus, b, &s)
	return s, err
}

// DecodeTotals decodes a totals payload strictly (see DecodeEvent).
func DecodeTotals(b []byte) (Totals, error) {
	var t Totals
	err := decodeStrict(SchemaTotals, b, &t)
	return t, err
}

// DecodeDaily decodes a daily payload strictly (see DecodeEvent).
func DecodeDaily(b []byte) (Daily, error) {
	var d Daily
	err := decodeStrict(SchemaDaily, b, &d)
	return d, err
}

func decodeStrict(schema string, b []byte, v interface{ check() error }) error {
	if err := present(schema, b); err != nil {
		return fmt.Errorf("wire: %s payload: %w", schema, err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("wire: %s payload: %w", schema, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("wire: %s payload: invalid JSON: data after the value", schema)
	}
	if err := v.check(); err != nil {
		return fmt.Errorf("wire: %s payload: %w", schema, err)
	}
	return nil
}

// required is, per schema, the keys a payload must carry and, per key whose
// value is a counters object, the keys that one must carry: read from the
// schema files, so the decoders and the published schemas name the same.
var required = sync.OnceValue(func() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, name := range SchemaNames {
		var doc struct {
			Required   []string `json:"required"`
			Properties map[string]struct {
				Ref string `json:"$ref"`
			} `json:"properties"`
			Defs map[string]struct {
				Required []string `json:"required"`
			} `json:"$defs"`
		}
		b, _ := Schema(name)
		if err := json.Unmarshal(b, &doc); err != nil {
			panic("wire: schema " + name + ": " + err.Error())
		}
		m := map[string][]string{"": doc.Required}
		for key, p := range doc.Properties {
			if def, ok := strings.CutPrefix(p.Ref, "#/$defs/"); ok && len(doc.Defs[def].Required) > 0 {
				m[key] = doc.Defs[def].Required
			}
		}
		out[name] = m
	}
	return out
})

// present checks that every required key is there and not null (the JSON
// decoder cannot tell a missing field from a zero one), and that feedback
// lists are whole.
func present(schema string, b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	req := required()[schema]
	check := func(at string, obj map[string]json.RawMessage, keys []string) error {
		for _, k := range keys {
			if v, ok := obj[k]; !ok || string(v) == "null" {
				return fmt.Errorf("%s: missing required property %q", at, k)
			}
		}
		if fb, ok := obj["feedback"]; ok && at != "" {
			var list []json.RawMessage
			if json.Unmarshal(fb, &list) == nil && len(list) != 3 {
				return fmt.Errorf("%s/feedback: must hold 3 counts, not %d", at, len(list))
			}
		}
		return nil
	}
	if err := check("", top, req[""]); err != nil {
		return err
	}
	for key, keys := range req {
		if key == "" {
			continue
		}
		raw, ok := top[key]
		if !ok {
			continue // an optional object left out (a required one failed above)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("/%s: %w", key, err)
		}
		if err := check("/"+key, obj, keys); err != nil {
			return err
		}
	}
	return nil
}

// The checks of each payload beyond its Go types, as its schema states them.

func checkHead(v int, epoch string) error {
	if v != Version {
		return fmt.Errorf("/v: must be %d", Version)
	}
	if !ValidEpoch(epoch) {
		return fmt.Errorf("/epoch: %q does not match %s", epoch, EpochPattern)
	}
	return nil
}

func (e *Event) check() error {
	if err := checkHead(e.V, e.Epoch); err != nil {
		return err
	}
	if e.Seq < 1 || e.Boot < 1 {
		return errors.New("/seq and /boot must be at least 1")
	}
	return nil // the rest is Event.Check, which DecodeEvent runs
}

func (s *Status) check() error {
	if err := checkHead(s.V, s.Epoch); err != nil {
		return err
	}
	switch {
	case utf8.RuneCountInString(s.App) > 64 || utf8.RuneCountInString(s.PackVersion) > 64:
		return errors.New("/app and /pack_version are at most 64 characters")
	case s.Pack != "" && !ValidID(s.Pack):
		return fmt.Errorf("/pack: %q is not an id", s.Pack)
	case utf8.RuneCountInString(s.LastError) > 1000:
		return errors.New("/last_error is at most 1000 characters")
	}
	if s.Offer != nil {
		if err := s.Offer.Check(); err != nil {
			return err
		}
	}
	for name, h := range s.Sensors {
		if !sensorPattern.MatchString(name) || h == "" || utf8.RuneCountInString(h) > 200 {
			return fmt.Errorf("/sensors/%s: a sensor name and its health of 1 to 200 characters", name)
		}
	}
	return nil
}

func (t *Totals) check() error {
	if err := checkHead(t.V, t.Epoch); err != nil {
		return err
	}
	switch {
	case !ValidID(t.Site) || !ValidID(t.Device):
		return fmt.Errorf("/site, /device: %q, %q are not ids", t.Site, t.Device)
	case !validDate(t.Date):
		return fmt.Errorf("/date: %q is not a date like 2026-03-04", t.Date)
	case t.TimeZone == "" || utf8.RuneCountInString(t.TimeZone) > 64:
		return errors.New("/timezone: 1 to 64 characters")
	}
	if err := t.Lifetime.check("/lifetime"); err != nil {
		return err
	}
	return t.Today.check("/today")
}

func (d *Daily) check() error {
	if err := checkHead(d.V, d.Epoch); err != nil {
		return err
	}
	if !validDate(d.Date) {
		return fmt.Errorf("/date: %q is not a date like 2026-03-04", d.Date)
	}
	return d.Counters.check("/counters")
}

func (c *Counters) check(at string) error {
	for key, m := range map[string]map[string]uint64{"modules_started": c.ModulesStarted, "modules_completed": c.ModulesCompleted,
		"modules_passed": c.ModulesPassed, "answers_right": c.AnswersRight, "answers_wrong": c.AnswersWrong} {
		for id := range m {
			if !ValidID(id) {
				return fmt.Errorf("%s/%s: property name %q is not an id", at, key, id)
			}
		}
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil && len(s) == len(DateLayout)
}

// Sanitized returns e with its free-text and cosmetic fields made to fit
// the contract instead of failing Check: reason and pack_version become
// valid UTF-8 cut to their length limits, a sensor name gets characters
// outside [A-Za-z0-9._-] replaced by '_' and is cut to 63, a malformed lang
// is dropped. Fields that are counter keys (module, step) and the kind are
// left alone: Check still refuses those when wrong. The store applies it
// before Check, so a door crossing is never lost to a badly named sensor.
func (e Event) Sanitized() Event {
	e.Reason = cutRunes(strings.ToValidUTF8(e.Reason, "\uFFFD"), 200)
	e.PackVer = cutRunes(strings.ToValidUTF8(e.PackVer, "\uFFFD"), 64)
	if e.Lang != "" && !ValidLang(e.Lang) {
		e.Lang = ""
	}
	if e.Sensor != "" && !sensorPattern.MatchString(e.Sensor) {
		b := []byte(e.Sensor)
		for i, c := range b {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				b[i] = '_'
			}
		}
		if b[0] == '.' || b[0] == '_' || b[0] == '-' {
			b = append([]byte{'s'}, b...)
		}
		e.Sensor = string(b[:min(len(b), 63)])
	}
	return e
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
