package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
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

func decodeStrict(schema string, b []byte, v any) error {
	if err := Validate(schema, b); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("wire: %s payload: %w", schema, err)
	}
	return nil
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
