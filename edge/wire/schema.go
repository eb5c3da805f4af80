package wire

import (
	"embed"
	"fmt"
)

// The payload schemas, one JSON Schema (draft 2020-12) per payload, for
// consumers (the hub serves them). Tests check payloads against them with
// package wiretest; production code decodes with the strict decoders of
// decode.go instead.
//
//go:embed schema/*.json
var schemaFS embed.FS

// AsyncAPI is the AsyncAPI 3.0 document describing the whole MQTT interface.
//
//go:embed asyncapi.yaml
var AsyncAPI []byte

// Schema names, for Schema.
const (
	SchemaEvent  = "event"
	SchemaStatus = "status"
	SchemaTotals = "totals"
	SchemaDaily  = "daily"
	SchemaOffer  = "offer"
)

// SchemaNames lists every payload schema.
var SchemaNames = []string{SchemaEvent, SchemaStatus, SchemaTotals, SchemaDaily, SchemaOffer}

// Schema returns the JSON Schema document of a payload (see SchemaNames).
func Schema(name string) ([]byte, error) {
	b, err := schemaFS.ReadFile("schema/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("wire: no schema %q", name)
	}
	return b, nil
}
