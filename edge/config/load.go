package config

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/internal/strictyaml"
)

// Error is one problem in a config file, located by line and column.
type Error struct {
	File   string
	Line   int
	Column int
	Key    string // dotted key path, e.g. sensors.door.outer
	Msg    string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Errors is every problem found in one file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i == MaxErrorsShown {
			fmt.Fprintf(&b, "\n… and %d more", len(es)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// MaxErrorsShown is how many problems Errors.Error lists before "… and N
// more" (a broken 10 MB file listed half a million).
const MaxErrorsShown = 20

// MaxFileBytes is the largest config file Load and Parse read: a config is
// a few KiB; anything near this is not one (a 10 MB file took 587 MB).
const MaxFileBytes = 1 << 20

// Load reads the config at path. When path is DefaultPath and the file does
// not exist, the defaults are returned: a device with no config works. Any
// other missing file is an error (a typo in --config should not silently run
// the demo).
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
			return Default(), nil
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b)
}

// Parse parses and validates a config file's bytes; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > MaxFileBytes {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("the file is over %d KiB; a config is a few KiB (is this the right file?)", MaxFileBytes>>10)}}
	}
	cfg := Default()
	cfg.Path = name
	doc, errs := strictyaml.Decode(data, cfg, yamlOptions)
	d := &decoder{file: name, doc: doc}
	for _, e := range errs {
		d.errs = append(d.errs, &Error{File: name, Line: e.Line, Column: e.Col, Key: e.Key, Msg: e.Msg})
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	d.validate(cfg)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b *Error) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, d.errs
	}
	return cfg, nil
}

// yamlOptions are the config's types and words for the strict loader.
var yamlOptions = strictyaml.Options{
	AllowEmpty: true, // every key has a default
	Scalars: map[reflect.Type]strictyaml.Scalar{
		reflect.TypeFor[Duration](): {Want: "a duration like 30s, 5m or 30d", Parse: func(s string) (any, error) {
			d, err := ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a duration; write it like 30s, 5m, 2h or 30d", s)
			}
			return Duration(d), nil
		}},
		reflect.TypeFor[Size](): {Want: "a size like 256MiB", Parse: func(s string) (any, error) {
			sz, err := ParseSize(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a size; write it like 64MiB, 1GiB or 500000000", s)
			}
			return sz, nil
		}},
	},
	Reword: func(e *strictyaml.Error) {
		switch e.Kind {
		case strictyaml.KindSyntax:
			e.Msg = "not valid YAML: " + e.Found
		case strictyaml.KindNotMapping:
			e.Msg = "the file must be a mapping of keys to values, like the example in build/wufang.example.yaml"
		case strictyaml.KindAlias:
			e.Msg = "aliases are not supported in the config; write the value out"
		case strictyaml.KindTwice:
			e.Msg = "is set twice; keep one"
		case strictyaml.KindList:
			e.Msg = fmt.Sprintf("must be a list (- item per line, or [a, b]), not %s", e.Found)
		}
	},
}

type decoder struct {
	file string
	errs Errors
	doc  *strictyaml.Doc // where each key path was written, for located validation errors
}

func (d *decoder) fail(at strictyaml.Pos, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: at.Line, Column: at.Col, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// failAt reports a validation problem at the value of key, or at the top of
// the file when the key was not written (its default is wrong).
func (d *decoder) failAt(key, format string, args ...any) {
	at, _ := d.doc.Value(key)
	d.fail(at, key, format, args...)
}

// Duration is a time.Duration that also accepts days ("30d") in the file.
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", td/(24*time.Hour))
	}
	return td.String()
}

// MarshalYAML writes the duration the way it is read.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// ParseDuration parses a Go duration or a whole number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if before, ok := strings.CutSuffix(s, "d"); ok {
		// time.Duration holds at most about 106751 days; a count of days
		// beyond that used to wrap around (213505d read as 24h25m26s).
		n, err := strconv.ParseInt(before, 10, 64)
		if err != nil || n < 0 || n > maxDays {
			return 0, fmt.Errorf("bad duration %q (at most %dd)", s, maxDays)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return dur, nil
}

// maxDays is the most days a duration can hold (time.Duration is int64
// nanoseconds).
const maxDays = int64(math.MaxInt64 / (24 * time.Hour))

// Size is a number of bytes; the file may say 256MiB, 1GiB, 500KB or 1000.
type Size int64

func (s Size) String() string {
	switch {
	case s != 0 && s%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", s>>30)
	case s != 0 && s%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", s>>20)
	case s != 0 && s%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", s>>10)
	}
	return strconv.FormatInt(int64(s), 10)
}

// MarshalYAML writes the size the way it is read.
func (s Size) MarshalYAML() (any, error) { return s.String(), nil }

// ParseSize parses a byte count with an optional unit.
func ParseSize(s string) (Size, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			mult = u.mult
			num = strings.TrimSpace(strings.TrimSuffix(num, u.suffix))
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return Size(n * mult), nil
}
