package wire

import (
	"encoding/json"
	"testing"
)

// The seed corpora are in testdata/fuzz/<FuzzName>; more seeds are the
// sample payloads. Run one with: go test -fuzz=FuzzDecodeEvent ./edge/wire

func addSeeds(f *testing.F, schema string) {
	for _, b := range samples(f)[schema] {
		f.Add(b)
	}
}

// FuzzDecodeEvent: no input panics; whatever decodes re-encodes to a payload
// that matches the schema and decodes to the same event.
func FuzzDecodeEvent(f *testing.F) {
	addSeeds(f, SchemaEvent)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEvent(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", e, err)
		}
		e2, err := DecodeEvent(again)
		if err != nil {
			t.Fatalf("re-encoded event refused: %v\n%s", err, again)
		}
		if e2.Seq != e.Seq || e2.Kind != e.Kind || !e2.Time.Equal(e.Time) || e2.Step != e.Step || e2.Rating != e.Rating {
			t.Fatalf("round trip changed the event: %+v -> %+v", e, e2)
		}
	})
}

func FuzzDecodeTotals(f *testing.F) {
	addSeeds(f, SchemaTotals)
	f.Fuzz(func(t *testing.T, b []byte) {
		tt, err := DecodeTotals(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(tt)
		if err != nil {
			t.Fatal(err)
		}
		t2, err := DecodeTotals(again)
		if err != nil {
			t.Fatalf("re-encoded totals refused: %v\n%s", err, again)
		}
		if !t2.Lifetime.Equal(tt.Lifetime) || !t2.Today.Equal(tt.Today) || t2.Seq != tt.Seq {
			t.Fatal("round trip changed the totals")
		}
	})
}

func FuzzDecodeStatus(f *testing.F) {
	addSeeds(f, SchemaStatus)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeStatus(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeStatus(again); err != nil {
			t.Fatalf("re-encoded status refused: %v\n%s", err, again)
		}
	})
}

func FuzzDecodeDaily(f *testing.F) {
	addSeeds(f, SchemaDaily)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDaily(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeDaily(again); err != nil {
			t.Fatalf("re-encoded daily refused: %v\n%s", err, again)
		}
	})
}
