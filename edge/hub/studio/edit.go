package studio

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
)

// A field is named as the validator names the place of a problem: the
// file (pack.yaml, modules/fire.yaml) and the key path inside it
// (attract[0].title.en, steps[3].targets[1].x). The studio's forms use
// these names, so a problem lands next to its field, and an edit is
// applied by the same path to the decoded pack.

// ErrPath is a field name that names nothing in the pack.
var ErrPath = errors.New("no such field")

type segment struct {
	name  string
	index int // -1 for none
}

func parsePath(key string) ([]segment, error) {
	if key == "" {
		return nil, fmt.Errorf("%w: empty key", ErrPath)
	}
	var out []segment
	for _, part := range strings.Split(key, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		s := segment{name: name, index: -1}
		if hasIdx {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || !strings.HasSuffix(idx, "]") || n < 0 || n > 10000 {
				return nil, fmt.Errorf("%w: %q", ErrPath, key)
			}
			s.index = n
		}
		if name == "" {
			return nil, fmt.Errorf("%w: %q", ErrPath, key)
		}
		out = append(out, s)
	}
	return out, nil
}

// root is the decoded value of a file of p.
func root(p *content.Pack, file string) (reflect.Value, error) {
	if file == "pack.yaml" {
		return reflect.ValueOf(p).Elem(), nil
	}
	for _, m := range p.Mods {
		if content.ModuleFile(m.ID) == file {
			return reflect.ValueOf(m).Elem(), nil
		}
	}
	return reflect.Value{}, fmt.Errorf("%w: no file %s", ErrPath, file)
}

// field finds a struct field by its yaml key.
func field(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); f.IsExported() && tag == name && tag != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// walk follows segs from v. A text's language is the last segment; walk
// stops before it and returns it as lang.
func walk(v reflect.Value, segs []segment) (reflect.Value, string, error) {
	for i, s := range segs {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Map:
			if v.Type() != textType || i != len(segs)-1 || s.index >= 0 {
				return reflect.Value{}, "", ErrPath
			}
			return v, s.name, nil
		case reflect.Struct:
			f, ok := field(v, s.name)
			if !ok {
				return reflect.Value{}, "", fmt.Errorf("%w: %s", ErrPath, s.name)
			}
			v = f
		default:
			return reflect.Value{}, "", fmt.Errorf("%w: %s", ErrPath, s.name)
		}
		if s.index >= 0 {
			if v.Kind() != reflect.Slice || s.index >= v.Len() {
				return reflect.Value{}, "", fmt.Errorf("%w: %s[%d]", ErrPath, s.name, s.index)
			}
			v = v.Index(s.index)
		}
	}
	return v, "", nil
}

// MaxValue bounds one field's value: far beyond any text budget, and
// small enough that a form cannot grow a pack without limit.
const MaxValue = 4 << 10

// Set writes value into the field file|key of p. Texts: an empty value
// removes the language (the validator then says it is missing). Numbers
// and switches are parsed; a value that is not one is an error naming the
// field.
func Set(p *content.Pack, file, key, value string) error {
	if len(value) > MaxValue {
		return fmt.Errorf("%s: %s is longer than %d bytes", file, key, MaxValue)
	}
	value = strings.ReplaceAll(value, "\r\n", "\n")
	segs, err := parsePath(key)
	if err != nil {
		return err
	}
	if file != "pack.yaml" && len(segs) == 1 && segs[0].name == "id" {
		return fmt.Errorf("%s: a module's id is its file name and cannot be changed", file)
	}
	if file == "pack.yaml" && segs[0].name == "modules" {
		return fmt.Errorf("pack.yaml: modules: the modules are the pack's module files; the studio edits the modules the pack has")
	}
	r, err := root(p, file)
	if err != nil {
		return err
	}
	v, lang, err := walk(r, segs)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", file, key, err)
	}
	if lang != "" {
		if v.IsNil() {
			v.Set(reflect.MakeMap(textType))
		}
		if strings.TrimSpace(value) == "" {
			v.SetMapIndex(reflect.ValueOf(lang), reflect.Value{})
			if v.Len() == 0 {
				v.Set(reflect.Zero(textType))
			}
			return nil
		}
		v.SetMapIndex(reflect.ValueOf(lang), reflect.ValueOf(value))
		return nil
	}
	bad := func(what string) error { return fmt.Errorf("%s: %s: %q is not %s", file, key, value, what) }
	switch {
	case v.Kind() == reflect.String:
		v.SetString(strings.TrimSpace(value))
	case v.Kind() == reflect.Int:
		if strings.TrimSpace(value) == "" {
			v.SetInt(0)
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			return bad("a whole number")
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return bad("a number")
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		v.SetBool(b)
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Bool:
		if value == "" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true, false or empty")
		}
		v.Set(reflect.ValueOf(&b))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		// A list of words (languages): comma or space separated.
		words := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' })
		v.Set(reflect.ValueOf(words))
	default:
		return fmt.Errorf("%s: %s: %w: not a value", file, key, ErrPath)
	}
	return nil
}

// slicePath splits key into the slice it names an element of and the
// element's index: steps[2] is (steps, 2), steps[2].options[1] is
// (steps[2].options, 1).
func slicePath(key string) (string, int, error) {
	i := strings.LastIndex(key, "[")
	if i < 0 || !strings.HasSuffix(key, "]") {
		return "", 0, fmt.Errorf("%w: %q is not a list element", ErrPath, key)
	}
	n, err := strconv.Atoi(key[i+1 : len(key)-1])
	if err != nil {
		return "", 0, fmt.Errorf("%w: %q", ErrPath, key)
	}
	return key[:i], n, nil
}

func sliceAt(p *content.Pack, file, key string) (reflect.Value, error) {
	segs, err := parsePath(key)
	if err != nil {
		return reflect.Value{}, err
	}
	r, err := root(p, file)
	if err != nil {
		return reflect.Value{}, err
	}
	v, lang, err := walk(r, segs)
	if err != nil || lang != "" || v.Kind() != reflect.Slice {
		return reflect.Value{}, fmt.Errorf("%s: %s: %w: not a list", file, key, ErrPath)
	}
	return v, nil
}

// MaxItems bounds any list the studio grows (steps, slides, options…);
// the validator's own limits are lower, and it says so.
const MaxItems = 100

// Add appends a new, empty element to the list file|key (steps,
// attract, steps[2].options, …) and returns the new element's key. A new
// element with an id gets a fresh one, so the validator does not first
// complain about a missing id; a new step gets stepType.
func Add(p *content.Pack, file, key, stepType string) (string, error) {
	v, err := sliceAt(p, file, key)
	if err != nil {
		return "", err
	}
	if v.Len() >= MaxItems {
		return "", fmt.Errorf("%s: %s already has %d entries", file, key, v.Len())
	}
	e := reflect.New(v.Type().Elem()).Elem()
	if e.Kind() == reflect.Struct {
		if id, ok := field(e, "id"); ok && id.Kind() == reflect.String {
			id.SetString(freshID(p, file, key, v))
		}
		if key == "steps" {
			if !slices.Contains([]string{content.Lesson, content.Choice, content.Order, content.Hotspot, content.Scenario}, stepType) {
				return "", fmt.Errorf("%q is not a step type; use lesson, choice, order, hotspot or scenario", stepType)
			}
			t, _ := field(e, "type")
			t.SetString(stepType)
		}
	}
	v.Set(reflect.Append(v, e))
	return fmt.Sprintf("%s[%d]", key, v.Len()-1), nil
}

// freshID is an id not used by the list's elements (for steps: by any
// step of the pack, as step ids are unique in the pack).
func freshID(p *content.Pack, file, key string, list reflect.Value) string {
	used := map[string]bool{}
	prefix := strings.TrimSuffix(lastName(key), "s")
	if key == "steps" {
		for _, m := range p.Mods {
			for _, s := range m.Steps {
				used[s.ID] = true
			}
		}
		prefix = strings.TrimSuffix(strings.TrimPrefix(file, "modules/"), ".yaml")
	} else {
		for i := range list.Len() {
			if id, ok := field(list.Index(i), "id"); ok {
				used[id.String()] = true
			}
		}
	}
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s-%d", prefix, n)
		if key == "steps" {
			id = fmt.Sprintf("%s-new-%d", prefix, n)
		}
		if !used[id] {
			return id
		}
	}
}

func lastName(key string) string {
	if i := strings.LastIndex(key, "."); i >= 0 {
		key = key[i+1:]
	}
	name, _, _ := strings.Cut(key, "[")
	return name
}

// Delete removes the list element file|key (steps[2], attract[0],
// steps[2].options[1], …).
func Delete(p *content.Pack, file, key string) error {
	list, i, err := slicePath(key)
	if err != nil {
		return err
	}
	v, err := sliceAt(p, file, list)
	if err != nil {
		return err
	}
	if i >= v.Len() {
		return fmt.Errorf("%s: %s: %w", file, key, ErrPath)
	}
	out := reflect.AppendSlice(v.Slice(0, i), v.Slice(i+1, v.Len()))
	n := reflect.MakeSlice(v.Type(), out.Len(), out.Len())
	reflect.Copy(n, out)
	v.Set(n)
	return nil
}

// Move moves the list element file|key up (delta -1) or down (+1); at an
// end it stays. It returns the element's new key.
func Move(p *content.Pack, file, key string, delta int) (string, error) {
	list, i, err := slicePath(key)
	if err != nil {
		return "", err
	}
	v, err := sliceAt(p, file, list)
	if err != nil {
		return "", err
	}
	if i >= v.Len() || (delta != -1 && delta != 1) {
		return "", fmt.Errorf("%s: %s: %w", file, key, ErrPath)
	}
	j := i + delta
	if j < 0 || j >= v.Len() {
		return key, nil
	}
	a, b := v.Index(i).Interface(), v.Index(j).Interface()
	v.Index(i).Set(reflect.ValueOf(b))
	v.Index(j).Set(reflect.ValueOf(a))
	return fmt.Sprintf("%s[%d]", list, j), nil
}
