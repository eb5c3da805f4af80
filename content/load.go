package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// File names inside a pack.
const (
	manifestName = "pack.yaml"
	modulesDir   = "modules"
)

// MaxYAMLBytes is the largest pack.yaml or module file the loader reads.
// A module with a hundred steps in two languages is well under 200 KiB.
const MaxYAMLBytes = 1 << 20

// ModuleFile is the path of a module's file inside a pack.
func ModuleFile(id string) string { return modulesDir + "/" + id + ".yaml" }

// pos is where a value was written.
type pos struct{ line, col int }

// source remembers where each value of a loaded pack was written, so that
// Validate can point at it. Keys are key paths: "steps[2].options[0].text".
type source struct {
	files   map[string]map[string]pos // file -> key path -> position
	modFile map[*Module]string        // the file each module was read from
}

func (s *source) moduleFile(m *Module) (string, bool) {
	if s == nil {
		return "", false
	}
	f, ok := s.modFile[m]
	return f, ok
}

func (s *source) at(file, key string) pos {
	if s == nil {
		return pos{}
	}
	m := s.files[file]
	for {
		if p, ok := m[key]; ok {
			return p
		}
		if key == "" {
			return pos{}
		}
		// Walk up: a missing key is reported at its parent.
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			key = ""
		} else {
			key = key[:i]
		}
	}
}

// Load reads a pack from fsys: pack.yaml and modules/<id>.yaml for every
// module it lists. Reading is strict: an unknown key, a value of the wrong
// type, a key written twice, a YAML alias, text that is not UTF-8 or a file
// over MaxYAMLBytes is an error. The error is then a Problems listing every
// such problem in every file, each located by file, line and column.
//
// Load does not check values (ids, languages, media, scenario graphs): that
// is Validate. A module that is not one of ModuleIDs, or whose file is
// missing, is skipped here and reported by Validate.
func Load(fsys fs.FS) (*Pack, error) {
	p, probs := load(fsys)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, Problems(probs)
	}
	return p, nil
}

// Check loads and validates a pack and returns every problem found. When a
// file cannot be decoded, the files that could are still validated, so one
// run lists as much as possible. The pack is nil when pack.yaml itself could
// not be read.
func Check(fsys fs.FS) (*Pack, Problems) {
	p, probs := load(fsys)
	if p == nil {
		sortProblems(probs)
		return nil, probs
	}
	bad := map[string]bool{}
	for _, pr := range probs {
		bad[pr.File] = true
	}
	for _, pr := range Validate(p, fsys) {
		if !bad[pr.File] {
			probs = append(probs, pr)
		}
	}
	sortProblems(probs)
	if len(probs) > MaxProblems {
		rest := probs[MaxProblems:]
		sev := SevWarning
		if len(rest.Errors()) > 0 {
			sev = SevError
		}
		probs = append(probs[:MaxProblems:MaxProblems], Problem{File: rest[0].File, Line: rest[0].Line, Col: rest[0].Col,
			Severity: sev, Msg: fmt.Sprintf("and %d more problems; fix the ones above first", len(rest))})
	}
	return p, probs
}

// MaxProblems is how many problems Check lists before it says how many more
// there are: a screen full is enough to start fixing.
const MaxProblems = 200

// load decodes what it can; p is nil only when pack.yaml is unusable.
func load(fsys fs.FS) (*Pack, Problems) {
	src := &source{files: map[string]map[string]pos{}, modFile: map[*Module]string{}}
	var probs Problems
	root, prob := readYAML(fsys, manifestName)
	if prob != nil {
		return nil, Problems{*prob}
	}
	p := &Pack{src: src}
	d := &decoder{file: manifestName, pos: map[string]pos{}}
	d.decodeDoc(root, reflect.ValueOf(p).Elem())
	src.files[manifestName] = d.pos
	probs = append(probs, d.probs...)
	if len(d.probs) > 0 && p.Format == "" && p.ID == "" {
		return nil, probs
	}
	loaded := map[string]bool{}
	for _, id := range p.Modules {
		if !slices.Contains(ModuleIDs, id) || loaded[id] {
			continue // Validate says which ids are allowed, and once
		}
		loaded[id] = true
		name := ModuleFile(id)
		if _, err := fs.Stat(fsys, name); err != nil {
			continue // Validate reports the missing file where the module is listed
		}
		root, prob := readYAML(fsys, name)
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		m := &Module{}
		d := &decoder{file: name, pos: map[string]pos{}}
		d.decodeDoc(root, reflect.ValueOf(m).Elem())
		src.files[name] = d.pos
		probs = append(probs, d.probs...)
		if len(d.probs) == 0 {
			p.Mods = append(p.Mods, m)
			src.modFile[m] = name
		}
	}
	return p, probs
}

// readYAML reads and parses one YAML file of the pack, refusing files that
// are too large, not UTF-8, or not a single mapping document.
func readYAML(fsys fs.FS, name string) (root *yaml.Node, prob *Problem) {
	fail := func(line, col int, format string, args ...any) (*yaml.Node, *Problem) {
		return nil, &Problem{File: name, Line: line, Col: col, Severity: SevError, Msg: fmt.Sprintf(format, args...)}
	}
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(0, 0, "the file is missing; every pack needs %s at its top level (wufang-pack init makes one)", name)
		}
		return fail(0, 0, "cannot be read: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxYAMLBytes+1))
	if err != nil {
		return fail(0, 0, "cannot be read: %v", err)
	}
	if len(data) > MaxYAMLBytes {
		return fail(0, 0, "is larger than %d KiB; a pack file is never that big, so this is not a pack file (split long modules or remove pasted data)", MaxYAMLBytes>>10)
	}
	if !utf8.Valid(data) {
		line, col := badUTF8At(data)
		return fail(line, col, "is not UTF-8 text; save the file as UTF-8 (in most editors: Save As, encoding UTF-8)")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	doc, err := parseYAML(data)
	if err != nil {
		line, msg := yamlErrorLine(err)
		if strings.HasPrefix(msg, "did not find expected ',' or") {
			msg += "; inside {…} or […], put texts that contain ? : , # [ ] { } in quotes"
		}
		return fail(line, 1, "is not valid YAML near here: %s", msg)
	}
	if doc == nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return fail(0, 0, "is empty; it must be a mapping of keys to values (see wufang-pack init)")
	}
	if a := firstAlias(doc); a != nil {
		return fail(a.Line, a.Column, "uses a YAML alias (*%s); aliases are not allowed in a pack, write the value out in full", a.Value)
	}
	return doc.Content[0], nil
}

// parseYAML parses one document into a node tree. The parser never expands
// aliases into Go values here (the decoder refuses alias nodes), so an alias
// bomb costs nothing. A panic inside the parser on hostile input is turned
// into an error.
func parseYAML(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("the YAML parser failed on this file (%v)", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: a second document starts here (---); a pack file holds one document", extra.Line)
	}
	return &n, nil
}

// firstAlias finds the first alias node without following any alias, so a
// document built to expand exponentially costs one pass over what was
// written.
func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
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

func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	// yaml.v3 reports these from a 0-based mark (or not at all on line 1).
	if strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found a tab character") {
		line++
	}
	return line, msg
}

// decoder decodes a yaml.Node tree into the pack types, strictly, recording
// the position of every value and every problem.
type decoder struct {
	file  string
	pos   map[string]pos
	probs Problems
}

func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	pr := Problem{File: d.file, Severity: SevError, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Col = n.Line, n.Column
	}
	d.probs = append(d.probs, pr)
}

func (d *decoder) decodeDoc(n *yaml.Node, v reflect.Value) {
	d.pos[""] = pos{n.Line, n.Column}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "", "the file must be a mapping of keys to values (key: value per line), not %s", describe(n))
		return
	}
	d.decodeStruct(n, v, "")
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

var textType = reflect.TypeOf(Text(nil))

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "must be a mapping of keys (%s), not %s", strings.Join(fieldNames(v.Type()), ", "), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "a key must be a plain name, not %s", describe(k))
			continue
		}
		key := join(path, k.Value)
		if seen[k.Value] {
			d.fail(k, key, "is written twice; keep one")
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
	d.pos[key] = pos{n.Line, n.Column}
	if n.Kind == yaml.AliasNode {
		d.fail(n, key, "uses a YAML alias (*%s); aliases are not allowed in a pack, write the value out in full", n.Value)
		return
	}
	if v.Type() == textType {
		d.decodeText(n, v, key)
		return
	}
	switch v.Kind() {
	case reflect.Pointer: // an optional value: nil when not written
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
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
		switch n.Tag {
		case "!!null":
			v.SetString("")
		case "!!bool":
			d.fail(n, key, "must be text; put %s in quotes if you mean it as text", n.Value)
		default:
			v.SetString(n.Value)
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
			d.fail(n, key, "%q is not allowed; write true or false", n.Value)
		}
	case reflect.Int:
		if !d.scalar(n, key, "a whole number") {
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil || n.Tag != "!!int" {
			d.fail(n, key, "%q is not a whole number; write it like 80", n.Value)
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		if !d.scalar(n, key, "a number") {
			return
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.fail(n, key, "%q is not a number; write a fraction like 0.25", n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, key, "must be a list (one \"- item\" per line), not %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	default:
		panic("content: unsupported field kind " + v.Kind().String())
	}
}

// decodeText decodes {language: text}. Which languages are allowed is
// checked by Validate against the pack's languages.
func (d *decoder) decodeText(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, key, "must be a text in every language, like {zh-CN: 火警, en: Fire}, not %s", describe(n))
		return
	}
	t := Text{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, key, "a language must be a plain name like zh-CN or en, not %s", describe(k))
			continue
		}
		sub := join(key, k.Value)
		d.pos[sub] = pos{val.Line, val.Column}
		if _, dup := t[k.Value]; dup {
			d.fail(k, sub, "is written twice; keep one")
			continue
		}
		if val.Kind == yaml.AliasNode {
			d.fail(val, sub, "uses a YAML alias (*%s); aliases are not allowed in a pack, write the text out in full", val.Value)
			continue
		}
		if val.Kind != yaml.ScalarNode {
			d.fail(val, sub, "must be text, not %s", describe(val))
			continue
		}
		if val.Tag == "!!null" {
			t[k.Value] = ""
			continue
		}
		t[k.Value] = val.Value
	}
	v.Set(reflect.ValueOf(t))
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
	if n.Tag == "!!null" {
		return "empty"
	}
	return strconv.Quote(n.Value)
}

func fieldByTag(v reflect.Value, tag string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name == tag && name != "-" && name != "" {
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
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("yaml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
