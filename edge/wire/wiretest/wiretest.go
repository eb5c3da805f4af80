// Package wiretest checks payloads against the contract's JSON Schemas
// (edge/wire/schema), for the tests of code that publishes them. It uses a
// complete JSON Schema 2020-12 validator, santhosh-tekuri/jsonschema, and
// is linked only into tests: package wire stays standard-library only.
package wiretest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

var (
	once    sync.Once
	schemas map[string]*jsonschema.Schema
	errInit error
)

func compile() {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	urls := map[string]string{}
	for _, name := range wire.SchemaNames {
		b, err := wire.Schema(name)
		if err != nil {
			errInit = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			errInit = fmt.Errorf("wiretest: schema %s: %w", name, err)
			return
		}
		urls[name] = "wire:///" + name + ".json"
		if err := c.AddResource(urls[name], doc); err != nil {
			errInit = fmt.Errorf("wiretest: schema %s: %w", name, err)
			return
		}
	}
	schemas = map[string]*jsonschema.Schema{}
	for name, url := range urls {
		s, err := c.Compile(url)
		if err != nil {
			errInit = fmt.Errorf("wiretest: schema %s: %w", name, err)
			return
		}
		schemas[name] = s
	}
}

// Validate checks one payload against the named schema (wire.SchemaNames).
// The error names the JSON pointer of each problem, like at '/seq'.
func Validate(name string, payload []byte) error {
	once.Do(compile)
	if errInit != nil {
		return errInit
	}
	s, ok := schemas[name]
	if !ok {
		return fmt.Errorf("wiretest: no schema %q", name)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("wiretest: %s payload: invalid JSON: %w", name, err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("wiretest: %s payload: %w", name, err)
	}
	return nil
}
