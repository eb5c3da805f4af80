package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Load reads the config at path. When path is DefaultPath and the file does
// not exist, the defaults are returned: a device with no config works. Any
// other missing file is an error (a typo in --config should not silently run
// the demo).
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
			return Default(), nil
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b)
}

// Parse parses and validates a config file's bytes; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	cfg := Default()
	cfg.Path = name
	d := &decoder{file: name, pos: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return d.finish(cfg)
		}
		return nil, Errors{d.yamlError(err)}
	}
	if len(root.Content) == 0 {
		return d.finish(cfg)
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return d.finish(cfg)
	}
	if doc.Kind != yaml.MappingNode {
		d.fail(doc, "", "the file must be a mapping of keys to values, like the example in build/wufang.example.yaml")
		return nil, d.errs
	}
	d.decodeStruct(doc, reflect.ValueOf(cfg).Elem(), "")
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return d.finish(cfg)
}

func (d *decoder) finish(cfg *Config) (*Config, error) {
	d.validate(cfg)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool {
			if d.errs[i].Line != d.errs[j].Line {
				return d.errs[i].Line < d.errs[j].Line
			}
			return d.errs[i].Column < d.errs[j].Column
		})
		return nil, d.errs
	}
	return cfg, nil
}

type decoder struct {
	file string
	errs Errors
	pos  map[string]*yaml.Node // key path -> value node, for located validation errors
	keys map[string]*yaml.Node // key path -> key node
}

func (d *decoder) yamlError(err error) *Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			line, _ = strconv.Atoi(rest[:i])
			msg = strings.TrimSpace(rest[i+1:])
		}
	}
	return &Error{File: d.file, Line: line, Column: 1, Msg: "not valid YAML: " + msg}
}

func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// failAt reports a validation problem at the value of key, or at the top of
// the file when the key was not written (its default is wrong).
func (d *decoder) failAt(key, format string, args ...any) {
	d.fail(d.pos[key], key, format, args...)
}

var (
	durationType = reflect.TypeOf(Duration(0))
	sizeType     = reflect.TypeOf(Size(0))
)

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "must be a mapping of keys (%s), not %s", strings.Join(fieldNames(v.Type()), ", "), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if seen[k.Value] {
			d.fail(k, key, "is set twice; keep one")
			continue
		}
		seen[k.Value] = true
		f, ok := fieldByTag(v, k.Value)
		if !ok {
			d.fail(k, key, "is not a known key; allowed here: %s", strings.Join(fieldNames(v.Type()), ", "))
			continue
		}
		d.decodeValue(val, f, key)
	}
}

func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, key string) {
	d.pos[key] = n
	if n.Kind == yaml.AliasNode {
		d.fail(n, key, "aliases are not supported in the config; write the value out")
		return
	}
	switch {
	case v.Type() == durationType:
		if !d.scalar(n, key, "a duration like 30s, 5m or 30d") {
			return
		}
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.fail(n, key, "%q is not a duration; write it like 30s, 5m, 2h or 30d", n.Value)
			return
		}
		v.SetInt(int64(dur))
		return
	case v.Type() == sizeType:
		if !d.scalar(n, key, "a size like 256MiB") {
			return
		}
		sz, err := ParseSize(n.Value)
		if err != nil {
			d.fail(n, key, "%q is not a size; write it like 64MiB, 1GiB or 500000000", n.Value)
			return
		}
		v.SetInt(int64(sz))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.String:
		if !d.scalar(n, key, "text") {
			return
		}
		if n.Tag != "!!str" && n.Tag != "!!null" {
			d.fail(n, key, "must be text; put %s in quotes if you mean it as text", n.Value)
			return
		}
		if n.Tag == "!!null" {
			v.SetString("")
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if !d.scalar(n, key, "true or false") {
			return
		}
		switch n.Value {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.fail(n, key, "%q is not allowed; write true or false", n.Value)
		}
	case reflect.Int:
		if !d.scalar(n, key, "a whole number") {
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil || n.Tag != "!!int" {
			d.fail(n, key, "%q is not a whole number", n.Value)
			return
		}
		v.SetInt(int64(i))
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, key, "must be a list (- item per line, or [a, b]), not %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.MakeMap(v.Type()))
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, key, "must be a mapping of name: value, not %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			sub := join(key, k.Value)
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				d.fail(k, sub, "is set twice; keep one")
				continue
			}
			d.keys[sub] = k
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decodeValue(val, ev, sub)
			m.SetMapIndex(reflect.ValueOf(k.Value), ev)
		}
		v.Set(m)
	default:
		panic("config: unsupported field kind " + v.Kind().String())
	}
}

func (d *decoder) scalar(n *yaml.Node, key, want string) bool {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, key, "must be %s, not %s", want, describe(n))
		return false
	}
	return true
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return strconv.Quote(n.Value)
}

func fieldByTag(v reflect.Value, tag string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name == tag && name != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if n := yamlName(t.Field(i)); n != "-" && n != "" {
			names = append(names, n)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	return tag
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
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return dur, nil
}

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
