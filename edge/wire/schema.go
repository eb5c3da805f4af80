package wire

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The payload schemas, one JSON Schema (draft 2020-12) per payload.
//
//go:embed schema/*.json
var schemaFS embed.FS

// AsyncAPI is the AsyncAPI 3.0 document describing the whole MQTT interface.
//
//go:embed asyncapi.yaml
var AsyncAPI []byte

// Schema names, for Schema and Validate.
const (
	SchemaEvent  = "event"
	SchemaStatus = "status"
	SchemaTotals = "totals"
	SchemaDaily  = "daily"
)

// SchemaNames lists every payload schema.
var SchemaNames = []string{SchemaEvent, SchemaStatus, SchemaTotals, SchemaDaily}

// Schema returns the JSON Schema document of a payload (see SchemaNames).
func Schema(name string) ([]byte, error) {
	b, err := schemaFS.ReadFile("schema/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("wire: no schema %q", name)
	}
	return b, nil
}

// Validate checks a payload against the named schema. It implements the
// subset of JSON Schema 2020-12 the wire schemas use: type, const, enum,
// required, properties, additionalProperties, propertyNames, items,
// minItems, maxItems, minimum, maximum, minLength, maxLength, pattern, and
// $ref to #/$defs. The error names the JSON pointer of the first problem.
func Validate(name string, payload []byte) error {
	s, err := compiled(name)
	if err != nil {
		return err
	}
	v, err := decodeJSON(payload)
	if err != nil {
		return fmt.Errorf("wire: %s payload: %w", name, err)
	}
	if err := s.validate(v, ""); err != nil {
		return fmt.Errorf("wire: %s payload: %w", name, err)
	}
	return nil
}

// decodeJSON parses exactly one JSON value with numbers kept exact.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return v, nil
}

var (
	compileMu sync.Mutex
	compiledS = map[string]*JSONSchema{}
)

func compiled(name string) (*JSONSchema, error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	if s, ok := compiledS[name]; ok {
		return s, nil
	}
	b, err := Schema(name)
	if err != nil {
		return nil, err
	}
	s, err := CompileSchema(b)
	if err != nil {
		return nil, fmt.Errorf("wire: schema %s: %w", name, err)
	}
	compiledS[name] = s
	return s, nil
}

// JSONSchema is one compiled JSON Schema (or subschema), see CompileSchema.
type JSONSchema struct {
	root    *JSONSchema
	defs    map[string]*JSONSchema
	ref     string
	boolean *bool // true/false schema

	types      []string
	constV     any
	hasConst   bool
	enum       []any
	required   []string
	properties map[string]*JSONSchema
	addl       *JSONSchema
	propNames  *JSONSchema
	items      *JSONSchema
	minItems   *int
	maxItems   *int
	minimum    *big.Rat
	maximum    *big.Rat
	minLength  *int
	maxLength  *int
	pattern    *regexp.Regexp
}

// CompileSchema compiles a JSON Schema document for ValidateValue. Keywords
// outside the supported subset are refused, so a schema never silently
// checks less than it says (annotations such as title, description,
// $schema, $id, $comment, format and examples are accepted and ignored).
func CompileSchema(doc []byte) (*JSONSchema, error) {
	v, err := decodeJSON(doc)
	if err != nil {
		return nil, err
	}
	root := &JSONSchema{}
	if err := compileInto(root, root, v, "#"); err != nil {
		return nil, err
	}
	return root, nil
}

var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true,
	"$comment": true, "format": true, "examples": true, "default": true}

func compileInto(n, root *JSONSchema, v any, at string) error {
	n.root = root
	if b, ok := v.(bool); ok {
		n.boolean = &b
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: a schema must be an object or a boolean", at)
	}
	sub := func(x any, path string) (*JSONSchema, error) {
		c := &JSONSchema{}
		return c, compileInto(c, root, x, path)
	}
	intOf := func(k string) (*int, error) {
		num, ok := m[k].(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s/%s: not a number", at, k)
		}
		i, err := strconv.Atoi(num.String())
		if err != nil || i < 0 {
			return nil, fmt.Errorf("%s/%s: not a non-negative integer", at, k)
		}
		return &i, nil
	}
	ratOf := func(k string) (*big.Rat, error) {
		num, ok := m[k].(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s/%s: not a number", at, k)
		}
		r, ok := new(big.Rat).SetString(num.String())
		if !ok {
			return nil, fmt.Errorf("%s/%s: bad number", at, k)
		}
		return r, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := m[k]
		var err error
		switch k {
		case "$defs":
			defs, ok := x.(map[string]any)
			if !ok || n != root {
				return fmt.Errorf("%s/$defs: only an object at the root is supported", at)
			}
			root.defs = map[string]*JSONSchema{}
			for name, d := range defs {
				if root.defs[name], err = sub(d, at+"/$defs/"+name); err != nil {
					return err
				}
			}
		case "$ref":
			s, _ := x.(string)
			if !strings.HasPrefix(s, "#/$defs/") {
				return fmt.Errorf("%s/$ref: only #/$defs/NAME is supported", at)
			}
			n.ref = strings.TrimPrefix(s, "#/$defs/")
		case "type":
			switch t := x.(type) {
			case string:
				n.types = []string{t}
			case []any:
				for _, e := range t {
					s, ok := e.(string)
					if !ok {
						return fmt.Errorf("%s/type: not a string", at)
					}
					n.types = append(n.types, s)
				}
			default:
				return fmt.Errorf("%s/type: not a string or an array", at)
			}
			for _, t := range n.types {
				switch t {
				case "null", "boolean", "object", "array", "number", "string", "integer":
				default:
					return fmt.Errorf("%s/type: unknown type %q", at, t)
				}
			}
		case "const":
			n.constV, n.hasConst = x, true
		case "enum":
			e, ok := x.([]any)
			if !ok {
				return fmt.Errorf("%s/enum: not an array", at)
			}
			n.enum = e
		case "required":
			r, ok := x.([]any)
			if !ok {
				return fmt.Errorf("%s/required: not an array", at)
			}
			for _, e := range r {
				s, ok := e.(string)
				if !ok {
					return fmt.Errorf("%s/required: not a string", at)
				}
				n.required = append(n.required, s)
			}
		case "properties":
			p, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/properties: not an object", at)
			}
			n.properties = map[string]*JSONSchema{}
			for name, ps := range p {
				if n.properties[name], err = sub(ps, at+"/properties/"+name); err != nil {
					return err
				}
			}
		case "additionalProperties":
			n.addl, err = sub(x, at+"/additionalProperties")
		case "propertyNames":
			n.propNames, err = sub(x, at+"/propertyNames")
		case "items":
			n.items, err = sub(x, at+"/items")
		case "minItems":
			n.minItems, err = intOf(k)
		case "maxItems":
			n.maxItems, err = intOf(k)
		case "minLength":
			n.minLength, err = intOf(k)
		case "maxLength":
			n.maxLength, err = intOf(k)
		case "minimum":
			n.minimum, err = ratOf(k)
		case "maximum":
			n.maximum, err = ratOf(k)
		case "pattern":
			s, _ := x.(string)
			n.pattern, err = regexp.Compile(s)
		default:
			if !annotations[k] {
				return fmt.Errorf("%s: keyword %q is not supported by this validator", at, k)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidateValue checks a value decoded with json.Decoder.UseNumber.
func (n *JSONSchema) ValidateValue(v any) error { return n.validate(v, "") }

func (n *JSONSchema) validate(v any, ptr string) error {
	where := ptr
	if where == "" {
		where = "/"
	}
	if n.boolean != nil {
		if !*n.boolean {
			return fmt.Errorf("%s: not allowed", where)
		}
		return nil
	}
	if n.ref != "" {
		d, ok := n.root.defs[n.ref]
		if !ok {
			return fmt.Errorf("%s: schema refers to missing $defs/%s", where, n.ref)
		}
		if err := d.validate(v, ptr); err != nil {
			return err
		}
	}
	if len(n.types) > 0 {
		ok := false
		for _, t := range n.types {
			if isType(v, t) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Errorf("%s: is %s, want %s", where, typeName(v), strings.Join(n.types, " or "))
		}
	}
	if n.hasConst && !jsonEqual(v, n.constV) {
		return fmt.Errorf("%s: must be %v", where, n.constV)
	}
	if n.enum != nil {
		ok := false
		for _, e := range n.enum {
			if jsonEqual(v, e) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Errorf("%s: %v is not one of %v", where, v, n.enum)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range n.required {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%s: missing required property %q", where, r)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kp := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			if n.propNames != nil {
				if err := n.propNames.validate(k, kp); err != nil {
					return fmt.Errorf("%s: property name: %w", kp, err)
				}
			}
			if ps, ok := n.properties[k]; ok {
				if err := ps.validate(x[k], kp); err != nil {
					return err
				}
			} else if n.addl != nil {
				if n.addl.boolean != nil && !*n.addl.boolean {
					return fmt.Errorf("%s: unknown property", kp)
				}
				if err := n.addl.validate(x[k], kp); err != nil {
					return err
				}
			}
		}
	case []any:
		if n.minItems != nil && len(x) < *n.minItems {
			return fmt.Errorf("%s: %d items, at least %d", where, len(x), *n.minItems)
		}
		if n.maxItems != nil && len(x) > *n.maxItems {
			return fmt.Errorf("%s: %d items, at most %d", where, len(x), *n.maxItems)
		}
		if n.items != nil {
			for i, e := range x {
				if err := n.items.validate(e, ptr+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	case string:
		l := utf8.RuneCountInString(x)
		if n.minLength != nil && l < *n.minLength {
			return fmt.Errorf("%s: %d characters, at least %d", where, l, *n.minLength)
		}
		if n.maxLength != nil && l > *n.maxLength {
			return fmt.Errorf("%s: %d characters, at most %d", where, l, *n.maxLength)
		}
		if n.pattern != nil && !n.pattern.MatchString(x) {
			return fmt.Errorf("%s: %q does not match %s", where, x, n.pattern)
		}
	case json.Number:
		r, ok := new(big.Rat).SetString(x.String())
		if !ok {
			return fmt.Errorf("%s: bad number %s", where, x)
		}
		if n.minimum != nil && r.Cmp(n.minimum) < 0 {
			return fmt.Errorf("%s: %s is less than %s", where, x, n.minimum.RatString())
		}
		if n.maximum != nil && r.Cmp(n.maximum) > 0 {
			return fmt.Errorf("%s: %s is more than %s", where, x, n.maximum.RatString())
		}
	}
	return nil
}

func isType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		num, ok := v.(json.Number)
		if !ok {
			return false
		}
		r, ok := new(big.Rat).SetString(num.String())
		return ok && r.IsInt()
	}
	return false
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		if isType(v, "integer") {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func jsonEqual(a, b any) bool {
	na, aok := a.(json.Number)
	nb, bok := b.(json.Number)
	if aok || bok {
		if !aok || !bok {
			return false
		}
		ra, ok1 := new(big.Rat).SetString(na.String())
		rb, ok2 := new(big.Rat).SetString(nb.String())
		return ok1 && ok2 && ra.Cmp(rb) == 0
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
