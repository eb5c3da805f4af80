// Package strictyaml decodes one YAML file strictly into a Go struct, for
// files that people edit by hand: the device config, content packs and the
// hub config.
//
// Strict means: a key that no field names, a key written twice, a value of
// the wrong type, a YAML alias, a second document, text that is not UTF-8 or
// a file over the size limit is an error. Decode does not stop at the first
// error: it returns every problem of the file, each located by line and
// column and named by its key path (steps[2].options[0].text), so one run
// shows the staff member everything to fix.
//
// # Types
//
// Fields are matched by their `yaml:"name"` tag. Decode fills structs,
// string, bool, int, float64, slices, maps with string keys and pointers
// (nil when not written, for an optional value). A type that
// is written as one plain value ("30s", "256MiB") is decoded by a Scalar
// hook in Options.Scalars; a map type (like a text in every language) can be
// given its own description for messages in Options.Describe.
//
// # Words
//
// Messages say what to change. A caller whose readers know other words
// (a pack author, an installer) can change any message in Options.Reword,
// by the Error's Kind; the hub config uses the defaults.
//
// # Hostile input
//
// Aliases are refused at the first one, found in one pass over what was
// written, before anything is decoded, so a document built to expand
// exponentially costs nothing. A panic of the YAML parser on hostile input
// becomes an error.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// DefaultMaxBytes is the size limit when Options.MaxBytes is 0. A
// hand-written config or pack file is far smaller; a larger file is
// something else.
const DefaultMaxBytes = 1 << 20

// Kind says which rule a problem breaks, so that Options.Reword can word it
// for the caller's readers.
type Kind int

// Kinds of problems.
const (
	KindSyntax     Kind = iota + 1 // not YAML; Found is the parser's message
	KindSecondDoc                  // a second document (---) follows the first
	KindEmpty                      // no document at all
	KindNotMapping                 // the file is not a mapping of keys; Found describes it
	KindTooLarge                   // over MaxBytes
	KindNotUTF8                    // not UTF-8 text
	KindAlias                      // a YAML alias; Found is its name
	KindTwice                      // a key written twice
	KindUnknown                    // a key no field names
	KindType                       // a value of the wrong shape or type; Found describes it
	KindList                       // a list was expected; Found describes what is there
	KindValue                      // a Scalar hook refused the value
)

// Error is one problem, located by line and column (1-based; 0 when it is
// about the whole file).
type Error struct {
	Line, Col int
	Key       string // key path, like sensors.door.outer or steps[2].items
	Kind      Kind
	Found     string // what was found, see Kind
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem of one file, in the order found.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Scalar decodes one type from one plain value, like "30s" or "256MiB".
type Scalar struct {
	// Want says what to write, for "must be Want, not a list".
	Want string
	// Parse returns the value (of the hooked type) or an error whose text is
	// the message: what is wrong and what to write instead.
	Parse func(s string) (any, error)
}

// Options adjust Decode. The zero value is strict with the default words.
type Options struct {
	// MaxBytes is the largest file accepted; 0 means DefaultMaxBytes.
	MaxBytes int
	// AllowEmpty accepts a file with no document (or only ~), leaving v as
	// it was: a config file whose every key has a default.
	AllowEmpty bool
	// NumbersAsText takes a number, date or other plain value written where
	// text is expected as the text written (number: 119); true and false
	// still must be quoted. Otherwise only quoted or plain text is text.
	NumbersAsText bool
	// Scalars decodes types written as one plain value.
	Scalars map[reflect.Type]Scalar
	// Describe says what a value of a map or struct type looks like, for
	// "must be …, not a list"; by default "a mapping of name: value".
	Describe map[reflect.Type]string
	// Reword may change an Error's Msg (or Key) before Decode returns it.
	Reword func(*Error)
}

// Pos is where something was written.
type Pos struct{ Line, Col int }

// Doc remembers where each value of a decoded file was written, so that a
// later validation can point at it.
type Doc struct {
	values map[string]Pos
	keys   map[string]Pos
}

// Value is where the value of the key path was written ("" is the whole
// file); ok is false when the file does not set it.
func (d *Doc) Value(key string) (p Pos, ok bool) {
	p, ok = d.values[key]
	return p, ok
}

// Key is where the key itself of the key path was written.
func (d *Doc) Key(key string) (p Pos, ok bool) {
	p, ok = d.keys[key]
	return p, ok
}

// Decode decodes data, one YAML document, into the struct v points at. It
// returns where each value was written and every problem found; with
// problems, v may be partly filled. The Doc is never nil.
func Decode(data []byte, v any, o Options) (*Doc, Errors) {
	d := &decoder{o: o, doc: &Doc{values: map[string]Pos{}, keys: map[string]Pos{}}}
	root := d.parse(data)
	if root != nil {
		d.doc.values[""] = Pos{root.Line, root.Column}
		if root.Kind != yaml.MappingNode {
			d.fail(root, "", KindNotMapping, describe(root), "the file must be a mapping of keys to values (key: value per line), not %s", describe(root))
		} else {
			d.decodeStruct(root, reflect.ValueOf(v).Elem(), "")
		}
	}
	if o.Reword != nil {
		for _, e := range d.errs {
			o.Reword(e)
		}
	}
	return d.doc, d.errs
}

type decoder struct {
	o    Options
	doc  *Doc
	errs Errors
}

func (d *decoder) fail(n *yaml.Node, key string, kind Kind, found, format string, args ...any) {
	e := &Error{Key: key, Kind: kind, Found: found, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

func (d *decoder) failAt(line, col int, kind Kind, found, format string, args ...any) {
	d.errs = append(d.errs, &Error{Line: line, Col: col, Kind: kind, Found: found, Msg: fmt.Sprintf(format, args...)})
}

// parse checks the file as a whole and returns its top node, or nil when
// there is nothing to decode (an error was recorded unless the file is
// empty and that is allowed).
func (d *decoder) parse(data []byte) *yaml.Node {
	limit := d.o.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	if len(data) > limit {
		d.failAt(0, 0, KindTooLarge, "", "is larger than %d KiB; this is not a file written by hand", limit>>10)
		return nil
	}
	if !utf8.Valid(data) {
		line, col := badUTF8At(data)
		d.failAt(line, col, KindNotUTF8, "", "is not UTF-8 text; save the file as UTF-8 (in most editors: Save As, encoding UTF-8)")
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	doc, extra, err := parseDoc(data)
	switch {
	case err != nil:
		line, msg := errorLine(err, data)
		if strings.HasPrefix(msg, "did not find expected ',' or") {
			msg += "; inside {…} or […], put texts that contain ? : , # [ ] { } in quotes"
		}
		d.failAt(line, 1, KindSyntax, msg, "is not valid YAML near here: %s", msg)
		return nil
	case extra > 0:
		d.failAt(extra, 1, KindSecondDoc, "", "is not valid YAML near here: a second document starts here (---); this file holds one document")
		return nil
	case doc == nil || len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null":
		if !d.o.AllowEmpty {
			d.failAt(0, 0, KindEmpty, "", "is empty; it must be a mapping of keys to values")
		}
		return nil
	}
	if a, key := firstAlias(doc.Content[0], ""); a != nil {
		d.fail(a, key, KindAlias, a.Value, "uses a YAML alias (*%s); aliases are not allowed here, write the value out in full", a.Value)
		return nil
	}
	return doc.Content[0]
}

// parseDoc parses one document into a node tree; extra is the line of a
// second document, if any. The parser never expands aliases into values
// here. A panic inside the parser on hostile input is turned into an error.
func parseDoc(data []byte) (doc *yaml.Node, extra int, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, extra, err = nil, 0, fmt.Errorf("the YAML parser failed on this file (%v)", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, nil
		}
		return nil, 0, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return &n, max(next.Line, 1), nil
	}
	return &n, 0, nil
}

// firstAlias finds the first alias node, and its key path, without
// following any alias, so a document built to expand exponentially costs
// one pass over what was written.
func firstAlias(n *yaml.Node, path string) (*yaml.Node, string) {
	if n.Kind == yaml.AliasNode {
		return n, path
	}
	for i, c := range n.Content {
		sub := path
		switch n.Kind {
		case yaml.MappingNode:
			if i%2 == 1 {
				sub = join(path, n.Content[i-1].Value)
			}
		case yaml.SequenceNode:
			sub = fmt.Sprintf("%s[%d]", path, i)
		}
		if a, key := firstAlias(c, sub); a != nil {
			return a, key
		}
	}
	return nil, ""
}

func badUTF8At(data []byte) (line, col int) {
	line, col = 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col
}

// errorLine takes the line out of a parser error. The parser reports some
// errors from a 0-based mark (and then none on line 1); an error found at
// the end of the file is put on the last line that holds text, where the
// unfinished thing was written.
func errorLine(err error, data []byte) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found a tab character") {
		line++
	}
	return min(line, lastTextLine(data)), msg
}

func lastTextLine(data []byte) int {
	lines := strings.Split(string(data), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return i + 1
		}
	}
	return 1
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, KindType, describe(n), "must be %s, not %s", d.want(v.Type()), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, KindType, describe(k), "a key must be a plain name, not %s", describe(k))
			continue
		}
		key := join(path, k.Value)
		if seen[k.Value] {
			d.fail(k, key, KindTwice, "", "is written twice; keep one")
			continue
		}
		seen[k.Value] = true
		f, ok := fieldByTag(v, k.Value)
		if !ok {
			d.fail(k, key, KindUnknown, k.Value, "is not a known key; allowed here: %s", strings.Join(fieldNames(v.Type()), ", "))
			continue
		}
		d.doc.keys[key] = Pos{k.Line, k.Column}
		d.decodeValue(val, f, key)
	}
}

// want says what a value of type t looks like.
func (d *decoder) want(t reflect.Type) string {
	if s, ok := d.o.Describe[t]; ok {
		return s
	}
	if t.Kind() == reflect.Struct {
		return fmt.Sprintf("a mapping of keys (%s)", strings.Join(fieldNames(t), ", "))
	}
	return "a mapping of name: value"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, key string) {
	d.doc.values[key] = Pos{n.Line, n.Column}
	if s, ok := d.o.Scalars[v.Type()]; ok {
		if !d.scalar(n, key, s.Want) {
			return
		}
		x, err := s.Parse(n.Value)
		if err != nil {
			d.fail(n, key, KindValue, n.Value, "%s", err.Error())
			return
		}
		v.Set(reflect.ValueOf(x).Convert(v.Type()))
		return
	}
	switch v.Kind() {
	case reflect.Pointer: // an optional value: nil when not written
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decodeValue(n, p.Elem(), key)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.String:
		if !d.scalar(n, key, "text") {
			return
		}
		switch {
		case n.Tag == "!!null":
			v.SetString("")
		case n.Tag == "!!str", d.o.NumbersAsText && n.Tag != "!!bool":
			v.SetString(n.Value)
		default:
			d.fail(n, key, KindType, n.Value, "must be text; put %s in quotes if you mean it as text", n.Value)
		}
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
			d.fail(n, key, KindType, n.Value, "%q is not allowed; write true or false", n.Value)
		}
	case reflect.Int:
		if !d.scalar(n, key, "a whole number") {
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil || n.Tag != "!!int" {
			d.fail(n, key, KindType, n.Value, "%q is not a whole number; write it like 80", n.Value)
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		if !d.scalar(n, key, "a number") {
			return
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.fail(n, key, KindType, n.Value, "%q is not a number; write a fraction like 0.25", n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, key, KindList, describe(n), "must be a list (one \"- item\" per line), not %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, key)
	default:
		panic("strictyaml: unsupported field kind " + v.Kind().String() + " at " + key)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, key string) {
	if v.Type().Key().Kind() != reflect.String {
		panic("strictyaml: map keys must be strings at " + key)
	}
	m := reflect.MakeMap(v.Type())
	if isNull(n) {
		v.Set(m)
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, key, KindType, describe(n), "must be %s, not %s", d.want(v.Type()), describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, key, KindType, describe(k), "a key must be a plain name, not %s", describe(k))
			continue
		}
		sub := join(key, k.Value)
		kv := reflect.ValueOf(k.Value).Convert(v.Type().Key())
		if m.MapIndex(kv).IsValid() {
			d.fail(k, sub, KindTwice, "", "is written twice; keep one")
			continue
		}
		d.doc.keys[sub] = Pos{k.Line, k.Column}
		ev := reflect.New(v.Type().Elem()).Elem()
		d.decodeValue(val, ev, sub)
		m.SetMapIndex(kv, ev)
	}
	v.Set(m)
}

func (d *decoder) scalar(n *yaml.Node, key, want string) bool {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, key, KindType, describe(n), "must be %s, not %s", want, describe(n))
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
	if n.Tag == "!!null" {
		return "empty"
	}
	return strconv.Quote(n.Value)
}

func fieldByTag(v reflect.Value, tag string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name == tag && name != "-" && name != "" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// Keys lists the keys a struct type accepts, in field order: for a schema
// test that checks a JSON Schema names the same keys.
func Keys(t reflect.Type) []string { return fieldNames(t) }

func fieldNames(t reflect.Type) []string {
	var names []string
	for field := range t.Fields() {
		if n := yamlName(field); n != "-" && n != "" {
			names = append(names, n)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}
