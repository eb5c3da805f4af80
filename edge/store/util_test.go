package store

import (
	"encoding/json"
	"io"
	"log/slog"

	bolt "go.etcd.io/bbolt"
)

type boltTx = bolt.Tx

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
