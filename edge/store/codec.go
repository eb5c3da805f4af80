package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Events are stored in a compact binary form, not JSON: with the bbolt
// element header and key it keeps an event around 50 bytes on disk.
//
//	format byte (1) | boot uvarint | unix seconds varint | nanoseconds uvarint |
//	kind code byte | fields: tag byte [+ value]...
//
// Strings are uvarint length + bytes. New fields get new tags; a decoder
// refuses tags it does not know rather than guess.

const codecVersion = 1

var kindCodes = []wire.Kind{"", wire.DoorEntry, wire.DoorExit, wire.PresenceStart, wire.PresenceEnd,
	wire.SessionStart, wire.ModuleStart, wire.StepAnswer, wire.ModuleComplete, wire.SessionEnd,
	wire.Feedback, wire.SensorFault, wire.SensorOK, wire.PackInstalled, wire.PackRejected}

var kindIndex = func() map[wire.Kind]byte {
	m := make(map[wire.Kind]byte, len(kindCodes))
	for i, k := range kindCodes {
		m[k] = byte(i)
	}
	return m
}()

const (
	tagModule = 1 + iota
	tagStep
	tagCorrect
	tagScore
	tagTotal
	tagPassed
	tagRating
	tagReason
	tagLang
	tagSensor
	tagPack
	tagPackVer
	tagAfterHours
	tagKind // kind as a string, for kinds without a code
	tagClockUnsynced
)

func appendString(b []byte, tag byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, tag byte, v *bool) []byte {
	if v == nil {
		return b
	}
	x := byte(0)
	if *v {
		x = 1
	}
	return append(b, tag, x)
}

func appendUint(b []byte, tag byte, v int) []byte {
	if v == 0 {
		return b
	}
	b = append(b, tag)
	return binary.AppendUvarint(b, uint64(v))
}

// encodeEvent appends e's encoding (without Seq and V) to b.
func encodeEvent(b []byte, e *wire.Event) []byte {
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, e.Boot)
	b = binary.AppendVarint(b, e.Time.Unix())
	b = binary.AppendUvarint(b, uint64(e.Time.Nanosecond()))
	code, ok := kindIndex[e.Kind]
	if !ok || code == 0 {
		b = append(b, 0)
		b = appendString(b, tagKind, string(e.Kind))
	} else {
		b = append(b, code)
	}
	b = appendString(b, tagModule, e.Module)
	b = appendString(b, tagStep, e.Step)
	b = appendBool(b, tagCorrect, e.Correct)
	b = appendUint(b, tagScore, e.Score)
	b = appendUint(b, tagTotal, e.Total)
	b = appendBool(b, tagPassed, e.Passed)
	b = appendUint(b, tagRating, e.Rating)
	b = appendString(b, tagReason, e.Reason)
	b = appendString(b, tagLang, e.Lang)
	b = appendString(b, tagSensor, e.Sensor)
	b = appendString(b, tagPack, e.Pack)
	b = appendString(b, tagPackVer, e.PackVer)
	if e.AfterHours {
		b = append(b, tagAfterHours)
	}
	if e.ClockUnsynced {
		b = append(b, tagClockUnsynced)
	}
	return b
}

var errShort = errors.New("truncated")

type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	x := r.b[0]
	r.b = r.b[1:]
	return x
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n == 0 || n > uint64(len(r.b)) {
		r.err = errShort
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) bool() *bool {
	x := r.byte()
	if x > 1 {
		r.err = fmt.Errorf("bad bool %d", x)
	}
	v := x == 1
	return &v
}

func (r *reader) int() int {
	v := r.uvarint()
	if v > 1<<31 {
		r.err = fmt.Errorf("integer %d too large", v)
	}
	return int(v)
}

// decodeEvent is the inverse of encodeEvent; it sets V and Seq too.
func decodeEvent(seq uint64, b []byte) (wire.Event, error) {
	r := reader{b: b}
	if v := r.byte(); r.err == nil && v != codecVersion {
		return wire.Event{}, fmt.Errorf("store: event %d: unknown encoding %d", seq, v)
	}
	e := wire.Event{V: wire.Version, Seq: seq}
	e.Boot = r.uvarint()
	sec := r.varint()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.err = fmt.Errorf("bad nanoseconds %d", nsec)
	}
	e.Time = time.Unix(sec, int64(nsec)).UTC()
	code := r.byte()
	if int(code) >= len(kindCodes) {
		r.err = fmt.Errorf("unknown kind code %d", code)
	} else {
		e.Kind = kindCodes[code]
	}
	for r.err == nil && len(r.b) > 0 {
		switch tag := r.byte(); tag {
		case tagModule:
			e.Module = r.string()
		case tagStep:
			e.Step = r.string()
		case tagCorrect:
			e.Correct = r.bool()
		case tagScore:
			e.Score = r.int()
		case tagTotal:
			e.Total = r.int()
		case tagPassed:
			e.Passed = r.bool()
		case tagRating:
			e.Rating = r.int()
		case tagReason:
			e.Reason = r.string()
		case tagLang:
			e.Lang = r.string()
		case tagSensor:
			e.Sensor = r.string()
		case tagPack:
			e.Pack = r.string()
		case tagPackVer:
			e.PackVer = r.string()
		case tagAfterHours:
			e.AfterHours = true
		case tagClockUnsynced:
			e.ClockUnsynced = true
		case tagKind:
			e.Kind = wire.Kind(r.string())
		default:
			r.err = fmt.Errorf("unknown field tag %d", tag)
		}
	}
	if r.err == nil && e.Kind == "" {
		r.err = errors.New("no kind")
	}
	if r.err != nil {
		return wire.Event{}, fmt.Errorf("store: event %d: %w", seq, r.err)
	}
	return e, nil
}
