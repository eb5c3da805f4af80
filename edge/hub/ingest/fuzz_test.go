package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// FuzzHandle drives the whole ingest path but the network (topic parsing,
// strict decoding, the batch writer, the database) with arbitrary topics
// and payloads: nothing panics, every message is acknowledged, and an
// event is stored exactly when the strict decoder accepts it.
func FuzzHandle(f *testing.F) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Add("wufang/v1/s1/d1/event", []byte(`{"v":1,"epoch":"00000000000000e1","seq":1,"boot":1,"time":"2026-03-01T10:00:00Z","kind":"door.entry"}`))
	f.Add("wufang/v1/s1/d1/event", []byte(`{"v":1,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T10:00:00Z","kind":"session.end","reason":"a\u0000b"}`))
	f.Add("wufang/v1/s1/d1/totals", mustJSON(wire.Totals{V: 1, Epoch: "00000000000000e1", Site: "s1", Device: "d1", Seq: 1, Date: "2026-03-01", TimeZone: "Asia/Shanghai", Time: now}))
	f.Add("wufang/v1/s1/d1/status", mustJSON(wire.Status{V: 1, Epoch: "00000000000000e1", Online: true, App: "x\x00", Time: now}))
	f.Add("wufang/v1/s1/d1/daily/2026-03-01", mustJSON(wire.Daily{V: 1, Epoch: "00000000000000e1", Date: "2026-03-01", Seq: 3}))
	f.Add("wufang/v1/s1/d1/event", []byte(`{"v":1,"seq":18446744073709551615}`))
	f.Add("wufang/v1/../d1/event", []byte(`{}`))
	d := openDB(f)
	in := New(Config{Now: func() time.Time { return now }, BatchDelay: time.Millisecond}, d, nil)
	go in.writer()
	f.Cleanup(func() { close(in.queue) })
	stored := int64(0)
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		acked := make(chan struct{})
		in.Handle(topic, payload, func() { close(acked) })
		select {
		case <-acked:
		case <-time.After(30 * time.Second):
			t.Fatal("a message was never acknowledged: ingest stopped")
		}
		_, _, rest, ok := wire.ParseTopic(wire.DefaultRoot, topic)
		if ok && rest == "event" {
			if _, err := wire.DecodeEvent(payload); err == nil {
				stored++ // at most: a replay of a stored key is not stored again
			}
		}
		n, dup, err := d.EventStats(context.Background(), "")
		if err != nil || dup != 0 || n > stored {
			t.Fatalf("%d events stored (%d twice, %v); at most %d decodable", n, dup, err, stored)
		}
	})
}
