package content

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wufang-kiosk/wufang/internal/strictyaml"
	"go.yaml.in/yaml/v3"
)

// The JSON Schemas in schema/ are for editors. These tests keep them in
// step with the Go types and the loader: every field of every type is in
// the schema and nothing else is, and packs the validator accepts satisfy
// the schemas while typical mistakes do not. The schemas are checked with a
// small validator of the keywords they use (below), since the module has no
// JSON Schema library.

func loadSchemas(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, name := range []string{"pack.schema.json", "module.schema.json"} {
		data, err := os.ReadFile("schema/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s is not valid JSON: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// TestSchemaFields: the properties of each schema object are exactly the
// yaml keys of its Go type.
func TestSchemaFields(t *testing.T) {
	ss := loadSchemas(t)
	v := &schemaValidator{schemas: ss}
	for _, c := range []struct {
		typ  reflect.Type
		file string
		ptr  string
	}{
		{reflect.TypeOf(Pack{}), "pack.schema.json", ""},
		{reflect.TypeOf(Slide{}), "pack.schema.json", "/$defs/slide"},
		{reflect.TypeOf(Module{}), "module.schema.json", ""},
		{reflect.TypeOf(Hotline{}), "module.schema.json", "/properties/hotline"},
		{reflect.TypeOf(Step{}), "module.schema.json", "/$defs/step"},
		{reflect.TypeOf(Option{}), "module.schema.json", "/$defs/option"},
		{reflect.TypeOf(Target{}), "module.schema.json", "/$defs/target"},
		{reflect.TypeOf(Situation{}), "module.schema.json", "/$defs/situation"},
		{reflect.TypeOf(Branch{}), "module.schema.json", "/$defs/branch"},
		{reflect.TypeOf(Outcome{}), "module.schema.json", "/$defs/outcome"},
		{reflect.TypeOf(Bank{}), "module.schema.json", "/$defs/bank"},
	} {
		s, _ := v.resolve(c.file, c.ptr)
		obj, _ := s.(map[string]any)
		props, _ := obj["properties"].(map[string]any)
		if obj["additionalProperties"] != false {
			t.Errorf("%s#%s: additionalProperties must be false, as the loader refuses unknown keys", c.file, c.ptr)
		}
		var got []string
		for k := range props {
			got = append(got, k)
		}
		sort.Strings(got)
		want := strictyaml.Keys(c.typ)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s#%s (%s): schema has %v; the Go type has %v", c.file, c.ptr, c.typ.Name(), got, want)
		}
	}
}

func yamlDoc(t *testing.T, fsys fs.FS, name string) any {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// TestSchemaAcceptsValidPacks: the skeleton and the built-in pack (once its
// files exist) satisfy the schemas.
func TestSchemaAcceptsValidPacks(t *testing.T) {
	v := &schemaValidator{schemas: loadSchemas(t)}
	packs := map[string]fs.FS{"testdata/good": os.DirFS("testdata/good")}
	if _, err := os.Stat("builtin/pack/pack.yaml"); err == nil {
		packs["builtin/pack"] = os.DirFS("builtin/pack")
	}
	for dir, fsys := range packs {
		if errs := v.validate("pack.schema.json", yamlDoc(t, fsys, "pack.yaml")); len(errs) > 0 {
			t.Errorf("%s/pack.yaml: %v", dir, errs)
		}
		mods, _ := fs.Glob(fsys, "modules/*.yaml")
		for _, m := range mods {
			if errs := v.validate("module.schema.json", yamlDoc(t, fsys, m)); len(errs) > 0 {
				t.Errorf("%s/%s: %v", dir, m, errs)
			}
		}
	}
}

// TestSchemaRefusesMistakes: typical mistakes, caught by the schema as by
// the validator.
func TestSchemaRefusesMistakes(t *testing.T) {
	v := &schemaValidator{schemas: loadSchemas(t)}
	for _, c := range []struct {
		file, schema, old, new, want string
	}{
		{"pack.yaml", "pack.schema.json", "format: wufang-pack/1", "format: wufang-pack/2", "/format: not the constant"},
		{"pack.yaml", "pack.schema.json", "id: my-pack", "id: My_Pack", "/id: does not match"},
		{"pack.yaml", "pack.schema.json", "modules: [fire]", "modules: [fire, cooking]", "/modules/1: not one of"},
		{"pack.yaml", "pack.schema.json", "seconds: 8", "secs: 8", "/attract/0: unknown key secs"},
		{fire, "module.schema.json", `colour: "#C62828"`, `colour: red`, "/colour: does not match"},
		{fire, "module.schema.json", "pass_score: 60", "pass_score: 160", "/pass_score: above the maximum"},
		{fire, "module.schema.json", "      - text: {zh-CN: 坐电梯, en: Take the lift}\n", "", "/steps/1/options: fewer than 2 items"},
		{fire, "module.schema.json", "    image: media/kitchen.svg\n", "", "/steps/3: missing image"},
		{fire, "module.schema.json", "x: 0.55", "x: 1.5", "/steps/3/targets/0/x: above the maximum"},
		{fire, "module.schema.json", "            next: door\n", "            next: door\n            outcome: safe\n", "/steps/4/situations/0/choices/0: matches 2 of oneOf"},
		{fire, "module.schema.json", "    image: media/icon.svg   # optional", "    prompt: {zh-CN: 问, en: Ask}", "/steps/0/prompt: not allowed here"},
	} {
		m := goodFS(t)
		replace(t, m, c.file, c.old, c.new)
		errs := v.validate(c.schema, yamlDoc(t, m, c.file))
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, c.want) }) {
			t.Errorf("%s: %q -> %q: errors %v; want %q", c.file, c.old, c.new, errs, c.want)
		}
	}
}

// schemaValidator checks a document against the JSON Schema keywords the
// schemas use: $ref (local and to the other file), type, const, enum,
// pattern, minLength, minimum, maximum, exclusiveMinimum, properties,
// required, additionalProperties, propertyNames, minProperties, items,
// minItems, maxItems, uniqueItems, allOf, oneOf, if/then, and boolean
// schemas. An unknown keyword fails the test, so the schemas cannot use
// something this does not check.
type schemaValidator struct {
	schemas map[string]map[string]any
	errs    []string
}

var knownKeywords = []string{"$schema", "$id", "$defs", "title", "description", "$ref", "type", "const", "enum", "pattern", "minLength",
	"minimum", "maximum", "exclusiveMinimum", "properties", "required", "additionalProperties", "propertyNames", "minProperties",
	"items", "minItems", "maxItems", "uniqueItems", "allOf", "oneOf", "if", "then"}

func (v *schemaValidator) validate(file string, doc any) []string {
	v.errs = nil
	v.check(file, v.schemas[file], doc, "")
	return v.errs
}

func (v *schemaValidator) resolve(file, ptr string) (any, string) {
	var cur any = map[string]any(v.schemas[file])
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if part == "" {
			continue
		}
		cur = cur.(map[string]any)[part]
	}
	return cur, file
}

func (v *schemaValidator) fail(at, format string, args ...any) {
	v.errs = append(v.errs, at+": "+fmt.Sprintf(format, args...))
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func (v *schemaValidator) check(file string, schema any, doc any, at string) {
	if at == "" {
		at = "/"
	}
	if b, ok := schema.(bool); ok {
		if !b {
			v.fail(at, "not allowed here")
		}
		return
	}
	s := schema.(map[string]any)
	for k := range s {
		if !slices.Contains(knownKeywords, k) {
			panic("schema keyword not checked by the test validator: " + k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		f, ptr, _ := strings.Cut(ref, "#")
		if f == "" {
			f = file
		}
		target, f := v.resolve(f, ptr)
		v.check(f, target, doc, at)
	}
	if typ, ok := s["type"].(string); ok {
		okType := false
		switch typ {
		case "object":
			_, okType = doc.(map[string]any)
		case "array":
			_, okType = doc.([]any)
		case "string":
			_, okType = doc.(string)
		case "boolean":
			_, okType = doc.(bool)
		case "integer":
			n, isNum := number(doc)
			okType = isNum && n == math.Trunc(n)
		case "number":
			_, okType = number(doc)
		}
		if !okType {
			v.fail(at, "not of type %s", typ)
			return
		}
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, doc) {
		v.fail(at, "not the constant %v", c)
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, doc) }) {
		v.fail(at, "not one of %v", enum)
	}
	if str, ok := doc.(string); ok {
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			v.fail(at, "does not match %s", p)
		}
		if n, ok := s["minLength"].(float64); ok && float64(len([]rune(str))) < n {
			v.fail(at, "shorter than %v", n)
		}
	}
	if n, ok := number(doc); ok {
		if m, ok := s["minimum"].(float64); ok && n < m {
			v.fail(at, "below the minimum %v", m)
		}
		if m, ok := s["maximum"].(float64); ok && n > m {
			v.fail(at, "above the maximum %v", m)
		}
		if m, ok := s["exclusiveMinimum"].(float64); ok && n <= m {
			v.fail(at, "not above %v", m)
		}
	}
	if obj, ok := doc.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				v.fail(at, "missing %s", r)
			}
		}
		if n, ok := s["minProperties"].(float64); ok && float64(len(obj)) < n {
			v.fail(at, "fewer than %v keys", n)
		}
		for k, val := range obj {
			sub := strings.TrimSuffix(at, "/") + "/" + k
			if pn, ok := s["propertyNames"]; ok {
				v.check(file, pn, k, sub+" (key)")
			}
			if ps, ok := props[k]; ok {
				v.check(file, ps, val, sub)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(at, "unknown key %s", k)
				}
			case map[string]any:
				v.check(file, ap, val, sub)
			}
		}
	}
	if arr, ok := doc.([]any); ok {
		if n, ok := s["minItems"].(float64); ok && float64(len(arr)) < n {
			v.fail(at, "fewer than %v items", n)
		}
		if n, ok := s["maxItems"].(float64); ok && float64(len(arr)) > n {
			v.fail(at, "more than %v items", n)
		}
		if s["uniqueItems"] == true {
			for i := range arr {
				for j := range i {
					if reflect.DeepEqual(arr[i], arr[j]) {
						v.fail(at, "items %d and %d are the same", j, i)
					}
				}
			}
		}
		if items, ok := s["items"]; ok {
			for i, it := range arr {
				v.check(file, items, it, fmt.Sprintf("%s/%d", strings.TrimSuffix(at, "/"), i))
			}
		}
	}
	for _, sub := range asSlice(s["allOf"]) {
		v.check(file, sub, doc, at)
	}
	if one := asSlice(s["oneOf"]); len(one) > 0 {
		n := 0
		for _, sub := range one {
			if v.matches(file, sub, doc) {
				n++
			}
		}
		if n != 1 {
			v.fail(at, "matches %d of oneOf", n)
		}
	}
	if cond, ok := s["if"]; ok && v.matches(file, cond, doc) {
		if then, ok := s["then"]; ok {
			v.check(file, then, doc, at)
		}
	}
}

func (v *schemaValidator) matches(file string, schema, doc any) bool {
	saved := v.errs
	v.errs = nil
	v.check(file, schema, doc, "")
	ok := len(v.errs) == 0
	v.errs = saved
	return ok
}

func asSlice(x any) []any {
	s, _ := x.([]any)
	return s
}
