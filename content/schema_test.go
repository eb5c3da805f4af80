package content

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/wufang-kiosk/wufang/internal/strictyaml"
	"go.yaml.in/yaml/v3"
)

// The JSON Schemas in schema/ are for editors. These tests keep them in
// step with the Go types and the loader: every field of every type is in
// the schema and nothing else is, and packs the validator accepts satisfy
// the schemas while typical mistakes do not, checked with a complete JSON
// Schema validator (santhosh-tekuri/jsonschema).

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

	v := newSchemaValidator(t)
	for _, c := range []struct {
		typ  reflect.Type
		file string
		ptr  string
	}{
		{reflect.TypeFor[Pack](), "pack.schema.json", ""},
		{reflect.TypeFor[Slide](), "pack.schema.json", "/$defs/slide"},
		{reflect.TypeFor[Module](), "module.schema.json", ""},
		{reflect.TypeFor[Hotline](), "module.schema.json", "/properties/hotline"},
		{reflect.TypeFor[Step](), "module.schema.json", "/$defs/step"},
		{reflect.TypeFor[Option](), "module.schema.json", "/$defs/option"},
		{reflect.TypeFor[Target](), "module.schema.json", "/$defs/target"},
		{reflect.TypeFor[Situation](), "module.schema.json", "/$defs/situation"},
		{reflect.TypeFor[Branch](), "module.schema.json", "/$defs/branch"},
		{reflect.TypeFor[Outcome](), "module.schema.json", "/$defs/outcome"},
		{reflect.TypeFor[Bank](), "module.schema.json", "/$defs/bank"},
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
	v := newSchemaValidator(t)
	packs := map[string]fs.FS{"testdata/good": os.DirFS("testdata/good")}
	if _, err := os.Stat("builtin/pack/pack.yaml"); err == nil {
		packs["builtin/pack"] = os.DirFS("builtin/pack")
	}
	for dir, fsys := range packs {
		if errs := v.validate(t, "pack.schema.json", yamlDoc(t, fsys, "pack.yaml")); len(errs) > 0 {
			t.Errorf("%s/pack.yaml: %v", dir, errs)
		}
		mods, _ := fs.Glob(fsys, "modules/*.yaml")
		for _, m := range mods {
			if errs := v.validate(t, "module.schema.json", yamlDoc(t, fsys, m)); len(errs) > 0 {
				t.Errorf("%s/%s: %v", dir, m, errs)
			}
		}
	}
}

// TestSchemaRefusesMistakes: typical mistakes, caught by the schema as by
// the validator.
func TestSchemaRefusesMistakes(t *testing.T) {
	v := newSchemaValidator(t)
	for _, c := range []struct {
		file, schema, old, new, want string
	}{
		{"pack.yaml", "pack.schema.json", "format: wufang-pack/1", "format: wufang-pack/2", "at '/format': value must be 'wufang-pack/1'"},
		{"pack.yaml", "pack.schema.json", "id: my-pack", "id: My_Pack", "at '/id': 'My_Pack' does not match pattern"},
		{"pack.yaml", "pack.schema.json", "modules: [fire]", "modules: [fire, cooking]", "at '/modules/1': value must be one of"},
		{"pack.yaml", "pack.schema.json", "seconds: 8", "secs: 8", "at '/attract/0': additional properties 'secs'"},
		{fire, "module.schema.json", `colour: "#C62828"`, `colour: red`, "at '/colour': 'red' does not match pattern"},
		{fire, "module.schema.json", "pass_score: 60", "pass_score: 160", "at '/pass_score': maximum"},
		{fire, "module.schema.json", "      - text: {zh-CN: 坐电梯, en: Take the lift}\n", "", "at '/steps/1/options': minItems"},
		{fire, "module.schema.json", "    image: media/kitchen.svg\n", "", "at '/steps/3': missing property 'image'"},
		{fire, "module.schema.json", "x: 0.55", "x: 1.5", "at '/steps/3/targets/0/x': maximum"},
		{fire, "module.schema.json", "            next: door\n", "            next: door\n            outcome: safe\n", "at '/steps/4/situations/0/choices/0': 'oneOf' failed, subschemas 0, 1 matched"},
		{fire, "module.schema.json", "    image: media/icon.svg   # optional", "    prompt: {zh-CN: 问, en: Ask}", "at '/steps/0/prompt': false schema"},
	} {
		m := goodFS(t)
		replace(t, m, c.file, c.old, c.new)
		errs := v.validate(t, c.schema, yamlDoc(t, m, c.file))
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, c.want) }) {
			t.Errorf("%s: %q -> %q: errors %v; want %q", c.file, c.old, c.new, errs, c.want)
		}
	}
}

// schemaValidator checks documents against the two schemas with
// santhosh-tekuri/jsonschema (JSON Schema 2020-12, complete).
type schemaValidator struct {
	schemas  map[string]map[string]any
	compiled map[string]*jsonschema.Schema
}

func newSchemaValidator(t *testing.T) *schemaValidator {
	t.Helper()
	v := &schemaValidator{schemas: loadSchemas(t), compiled: map[string]*jsonschema.Schema{}}
	c := jsonschema.NewCompiler()
	for _, doc := range v.schemas {
		if err := c.AddResource(doc["$id"].(string), jsonValue(t, doc)); err != nil {
			t.Fatal(err)
		}
	}
	for name, doc := range v.schemas {
		s, err := c.Compile(doc["$id"].(string))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v.compiled[name] = s
	}
	return v
}

// jsonValue turns a decoded YAML or JSON document into the validator's
// JSON values.
func jsonValue(t *testing.T, doc any) any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validate returns the problems, one line each, like "at '/id': ...".
func (v *schemaValidator) validate(t *testing.T, file string, doc any) []string {
	t.Helper()
	err := v.compiled[file].Validate(jsonValue(t, doc))
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// resolve finds a subschema by JSON pointer, for TestSchemaFields.
func (v *schemaValidator) resolve(file, ptr string) (any, string) {
	var cur any = map[string]any(v.schemas[file])
	for part := range strings.SplitSeq(strings.TrimPrefix(ptr, "/"), "/") {
		if part == "" {
			continue
		}
		cur = cur.(map[string]any)[part]
	}
	return cur, file
}
