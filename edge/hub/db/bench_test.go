package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// BenchmarkIngest stores the same batches of events (20 devices, 500 per
// transaction) two ways in the same run: through StoreEvents (dedupe key,
// complete-through, hourly/module/answer aggregates) and as a bare batched
// INSERT of the same rows into the events table of a second database of
// the same backend. It reports both rates and their ratio.
//
//	go test -run XXX -bench Ingest -benchtime 5x ./edge/hub/db
func BenchmarkIngest(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		dir := b.TempDir()
		benchIngest(b, func(name string) string { return filepath.Join(dir, name+".db") })
	})
	b.Run("postgres", func(b *testing.B) {
		srv := pgtest.Start(b)
		benchIngest(b, func(string) string { return srv.NewDatabase(b) })
	})
}

const benchRows = 20000 // per iteration

func benchIngest(b *testing.B, url func(name string) string) {
	ctx := context.Background()
	open := func(name string) *db.DB {
		d, err := db.Open(ctx, url(name))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		return d
	}
	withDedupe, bare := open("dedupe"), open("bare")
	var bareArrays *db.DB
	if bare.Backend() == db.Postgres {
		bareArrays = open("bare-unnest")
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if _, err := withDedupe.StoreTotals(ctx, "e1", wire.Totals{V: 1, Site: "s", Device: "d00", TimeZone: "Asia/Shanghai", Date: "2026-03-01"}, time.Now()); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, loc)
	kinds := []wire.Kind{wire.DoorEntry, wire.DoorExit, wire.SessionStart, wire.ModuleStart, wire.StepAnswer, wire.ModuleComplete, wire.PresenceStart}
	seq := map[string]uint64{}
	batchOf := func(n int) []db.Event {
		evs := make([]db.Event, 0, n)
		for i := range n {
			dev := fmt.Sprintf("d%02d", i%20)
			seq[dev]++
			k := kinds[int(seq[dev])%len(kinds)]
			yes := seq[dev]%3 != 0
			e := wire.Event{V: 1, Epoch: "e1", Seq: seq[dev], Boot: 1, Time: start.Add(time.Duration(seq[dev]) * 13 * time.Second).UTC(), Kind: k}
			switch k {
			case wire.ModuleStart, wire.ModuleComplete:
				e.Module = "fire"
				e.Passed = &yes
			case wire.StepAnswer:
				e.Module, e.Step, e.Correct = "fire", fmt.Sprintf("fire-q%d", seq[dev]%8), &yes
			}
			evs = append(evs, db.Event{Site: "s", Device: dev, Epoch: "e1", Event: e})
		}
		return evs
	}
	var tDedupe, tBare, tArrays time.Duration
	b.ResetTimer()
	for range b.N {
		for range benchRows / 500 {
			evs := batchOf(500)
			t0 := time.Now()
			if n, err := withDedupe.StoreEvents(ctx, evs, t0); err != nil || n != len(evs) {
				b.Fatalf("stored %d, %v", n, err)
			}
			t1 := time.Now()
			if err := bareInsert(ctx, bare, evs, bareChunk[bare.Backend()]); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			tDedupe += t1.Sub(t0)
			tBare += t2.Sub(t1)
			if bareArrays != nil {
				if err := bareUnnest(ctx, bareArrays, evs); err != nil {
					b.Fatal(err)
				}
				tArrays += time.Since(t2)
			}
		}
	}
	n := float64(b.N * benchRows)
	b.ReportMetric(n/tDedupe.Seconds(), "events/s-dedupe")
	b.ReportMetric(n/tBare.Seconds(), "events/s-bare")
	b.ReportMetric(tBare.Seconds()/tDedupe.Seconds(), "ratio")
	if bareArrays != nil {
		b.ReportMetric(n/tArrays.Seconds(), "events/s-bare-unnest")
		b.ReportMetric(tArrays.Seconds()/tDedupe.Seconds(), "ratio-unnest")
	}
}

// bareUnnest is PostgreSQL's other baseline, as fast a bare INSERT as the
// hub's own: the whole batch in one statement, each column one array.
func bareUnnest(ctx context.Context, d *db.DB, evs []db.Event) error {
	cols := make([][]any, 23)
	for _, e := range evs {
		var correct, passed any
		if e.Correct != nil {
			correct = boolInt(*e.Correct)
		}
		if e.Passed != nil {
			passed = boolInt(*e.Passed)
		}
		for j, v := range []any{e.Site, e.Device, e.Epoch, int64(e.Seq), int64(e.Boot), e.Time.UnixMilli(), string(e.Kind), e.Module, e.Step,
			correct, e.Score, e.Total, passed, e.Rating, e.Reason, e.Lang, e.Sensor, e.Pack, e.PackVer, 0, "2026-03-01", 9, time.Now().UnixMilli()} {
			cols[j] = append(cols[j], v)
		}
	}
	types := []string{"text", "text", "text", "bigint", "bigint", "bigint", "text", "text", "text", "int", "int", "int", "int", "int",
		"text", "text", "text", "text", "text", "int", "text", "int", "bigint"}
	var q strings.Builder
	q.WriteString(`INSERT INTO events (site, device, epoch, seq, boot, time, kind, module, step, correct, score, total, passed,
		rating, reason, lang, sensor, pack, pack_version, after_hours, day, hour, received) SELECT * FROM unnest(`)
	args := make([]any, len(cols))
	for j, c := range cols {
		if j > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "$%d::%s[]", j+1, types[j])
		args[j] = c
	}
	q.WriteByte(')')
	tx, err := d.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return err
	}
	return tx.Commit()
}

// bareInsert is the baseline: the same rows, one multi-row INSERT per 100,
// one transaction per batch, no conflict handling, no aggregates.
func bareInsert(ctx context.Context, d *db.DB, evs []db.Event, bareChunk int) error {
	tx, err := d.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for start := 0; start < len(evs); start += bareChunk {
		chunk := evs[start:min(start+bareChunk, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO events (site, device, epoch, seq, boot, time, kind, module, step, correct, score, total, passed,
			rating, reason, lang, sensor, pack, pack_version, after_hours, day, hour, received) VALUES `)
		args := make([]any, 0, len(chunk)*23)
		for i, e := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := 1; j <= 23; j++ {
				if j > 1 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "$%d", len(args)+j)
			}
			q.WriteByte(')')
			var correct, passed any
			if e.Correct != nil {
				correct = boolInt(*e.Correct)
			}
			if e.Passed != nil {
				passed = boolInt(*e.Passed)
			}
			args = append(args, e.Site, e.Device, e.Epoch, int64(e.Seq), int64(e.Boot), e.Time.UnixMilli(), string(e.Kind), e.Module, e.Step,
				correct, e.Score, e.Total, passed, e.Rating, e.Reason, e.Lang, e.Sensor, e.Pack, e.PackVer, 0, "2026-03-01", 9, time.Now().UnixMilli())
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bareChunk is the rows per INSERT of the baseline, the fastest found
// here for each backend (of 10, 25, 50, 100 on SQLite; 10 and 100 on
// PostgreSQL), the same as the hub uses.
var bareChunk = map[db.Backend]int{db.SQLite: 10, db.Postgres: 100}
