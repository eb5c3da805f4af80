package db

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Event is one event as received: the device's event plus where it came
// from (the topic names the site and device; the epoch names the device's
// store).
type Event struct {
	Site, Device, Epoch string
	wire.Event
}

type streamKey struct{ site, device, epoch string }

func (e *Event) key() streamKey { return streamKey{e.Site, e.Device, e.Epoch} }

// chunk is how many rows one INSERT carries: 10 on SQLite, where modernc
// binds $N parameters by name and long statements get slower per row
// (2,300 parameters ran at 1,600 rows/s, 230 at 15,000), 100 on PostgreSQL,
// where each statement is a round trip.
func (d *DB) chunk() int {
	if d.backend == Postgres {
		return 100
	}
	return 10
}

const eventColumns = `site, device, epoch, seq, boot, time, kind, module, step, correct, score, total, passed,
	rating, reason, lang, sensor, pack, pack_version, after_hours, day, hour, received`

// StoreEvents stores a batch of events in one transaction and reports how
// many were new. Replays (seq at or below the stream's complete-through
// mark, or already stored) change nothing; new events are bucketed by the
// hour and day they happened in their site's time zone, or left
// unbucketed until the site's time zone is known (see StoreTotals).
func (d *DB) StoreEvents(ctx context.Context, events []Event, now time.Time) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	evs := slices.Clone(events)
	slices.SortFunc(evs, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Device, b.Device), cmp.Compare(a.Epoch, b.Epoch), cmp.Compare(a.Seq, b.Seq))
	})
	evs = slices.CompactFunc(evs, func(a, b Event) bool { return a.key() == b.key() && a.Seq == b.Seq })
	var inserted int
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		inserted, err = d.storeBatch(ctx, tx, evs, ms(now))
		return err
	})
	if err != nil && uniqueViolation(err) && !d.checkAll.Load() {
		// Only a row written behind the streams' back (by hand, or by an
		// older hub) can do this: from now on check every row.
		d.checkAll.Store(true)
		err = d.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			inserted, err = d.storeBatch(ctx, tx, evs, ms(now))
			return err
		})
	}
	if err != nil {
		return 0, fmt.Errorf("store events: %w", err)
	}
	return inserted, nil
}

// storeBatch stores evs (sorted by stream and seq, no duplicates) in tx with
// a few statements per table for the whole batch, not per stream: the
// streams' marks in one upsert, the events in multi-row INSERTs, the marks
// moved in one UPDATE, the aggregates in one upsert per table.
func (d *DB) storeBatch(ctx context.Context, tx *sql.Tx, evs []Event, now int64) (int, error) {
	if err := d.touchAll(ctx, tx, evs, now); err != nil {
		return 0, err
	}
	marks, err := upsertStreams(ctx, tx, evs, now, d.chunk())
	if err != nil {
		return 0, err
	}
	fresh := evs[:0:0]
	for _, e := range evs {
		if int64(e.Seq) > marks[e.key()].through {
			fresh = append(fresh, e)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	zones := map[string]*time.Location{}
	for _, e := range fresh {
		if _, ok := zones[e.Site]; !ok {
			loc, err := d.zone(ctx, tx, e.Site)
			if err != nil {
				return 0, err
			}
			zones[e.Site] = loc
		}
	}
	byKey := make(map[seqKey]*Event, len(fresh))
	for i := range fresh {
		byKey[seqKey{fresh[i].key(), int64(fresh[i].Seq)}] = &fresh[i]
	}
	agg := newAggregate()
	newIn := map[streamKey]int{}
	inserted := 0
	var answers []*Event // pack.installed and pack.rejected, for pack_answers
	counted := func(e *Event) {
		inserted++
		newIn[e.key()]++
		if e.Kind == wire.PackInstalled || e.Kind == wire.PackRejected {
			answers = append(answers, e)
		}
		if loc := zones[e.Site]; loc != nil {
			day, hour := bucket(e.Time, loc, now)
			agg.add(e, day.(string), hour.(int))
		}
	}
	// Events past a stream's max_seq cannot be stored yet: the streams
	// upsert above holds each stream's row until commit, so no other
	// transaction inserts into the stream meanwhile. They take a plain
	// INSERT; only those between the mark and max_seq (a gap being filled,
	// or a replay of what came after it) need the conflict check.
	var sure, maybe []Event
	for _, e := range fresh {
		if !d.checkAll.Load() && int64(e.Seq) > marks[e.key()].maxSeq {
			sure = append(sure, e)
		} else {
			maybe = append(maybe, e)
		}
	}
	insert := func(list []Event, dedupe bool) error {
		if d.backend == Postgres && len(list) > 0 {
			keys, err := insertUnnest(ctx, tx, list, zones, now, dedupe)
			if err != nil {
				return err
			}
			if !dedupe {
				for i := range list {
					counted(&list[i])
				}
				return nil
			}
			for _, k := range keys {
				if e := byKey[k]; e != nil {
					counted(e)
				}
			}
			return nil
		}
		for start := 0; start < len(list); start += d.chunk() {
			chunk := list[start:min(start+d.chunk(), len(list))]
			var q strings.Builder
			q.WriteString("INSERT INTO events (" + eventColumns + ") VALUES ")
			args := make([]any, 0, len(chunk)*23)
			for i, e := range chunk {
				if i > 0 {
					q.WriteByte(',')
				}
				n := len(args)
				q.WriteByte('(')
				for j := 1; j <= 23; j++ {
					if j > 1 {
						q.WriteByte(',')
					}
					fmt.Fprintf(&q, "$%d", n+j)
				}
				q.WriteByte(')')
				day, hour := bucket(e.Time, zones[e.Site], now)
				args = append(args, e.Site, e.Device, e.Epoch, int64(e.Seq), int64(e.Boot), ms(e.Time), string(e.Kind),
					e.Module, e.Step, optBool(e.Correct), e.Score, e.Total, optBool(e.Passed), e.Rating, text(e.Reason), text(e.Lang),
					text(e.Sensor), text(e.Pack), text(e.PackVer), b2i(e.AfterHours), day, hour, now)
			}
			if !dedupe {
				if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
					return err
				}
				for i := range chunk {
					counted(&chunk[i])
				}
				continue
			}
			q.WriteString(" ON CONFLICT (site, device, epoch, seq) DO NOTHING RETURNING site, device, epoch, seq")
			rows, err := tx.QueryContext(ctx, q.String(), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k seqKey
				if err := rows.Scan(&k.site, &k.device, &k.epoch, &k.seq); err != nil {
					rows.Close()
					return err
				}
				if e := byKey[k]; e != nil {
					counted(e)
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := insert(maybe, true); err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	if err := insert(sure, false); err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	if err := storeAnswers(ctx, tx, answers, now); err != nil {
		return 0, err
	}
	// Move each stream's mark. The common case needs no walk: nothing was
	// stored past the mark, and the batch continues it without a gap and
	// was all new.
	var quick [][]any
	for start := 0; start < len(fresh); {
		end := start + 1
		for end < len(fresh) && fresh[end].key() == fresh[start].key() {
			end++
		}
		k, m := fresh[start].key(), marks[fresh[start].key()]
		top := int64(fresh[end-1].Seq)
		if m.maxSeq <= m.through && newIn[k] == end-start && top == m.through+int64(end-start) {
			quick = append(quick, []any{k.site, k.device, k.epoch, top})
		} else if err := advance(ctx, tx, k, m.through, top); err != nil {
			return 0, err
		}
		start = end
	}
	if d.backend == Postgres {
		return inserted, agg.flushPostgres(ctx, tx, quick)
	}
	if err := moveMarks(ctx, tx, quick, d.chunk()); err != nil {
		return 0, err
	}
	return inserted, agg.flush(ctx, tx, d.chunk())
}

// insertUnnest inserts list on PostgreSQL in one statement, whatever its
// length: each column travels as one array and unnest turns them back into
// rows. Multi-row VALUES would take one round trip per 100 rows (a
// statement's parameters are capped at 65,535 and long ones plan slowly);
// a batch here is one round trip. With dedupe it reports the keys that
// were new (ON CONFLICT DO NOTHING RETURNING); without, it returns nil.
func insertUnnest(ctx context.Context, tx *sql.Tx, list []Event, zones map[string]*time.Location, now int64, dedupe bool) ([]seqKey, error) {
	n := len(list)
	var (
		site, device, epoch, kind, module, step = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		reason, lang, sensor, pack, packVer     = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		seq, boot, at                           = make([]int64, n), make([]int64, n), make([]int64, n)
		score, total, rating, afterHours        = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		correct, passed, hour                   = make([]*int64, n), make([]*int64, n), make([]*int64, n)
		day                                     = make([]*string, n)
	)
	opt := func(b *bool) *int64 {
		if b == nil {
			return nil
		}
		v := int64(b2i(*b))
		return &v
	}
	for i := range list {
		e := &list[i]
		site[i], device[i], epoch[i], kind[i], module[i], step[i] = e.Site, e.Device, e.Epoch, string(e.Kind), e.Module, e.Step
		reason[i], lang[i], sensor[i], pack[i], packVer[i] = text(e.Reason), text(e.Lang), text(e.Sensor), text(e.Pack), text(e.PackVer)
		seq[i], boot[i], at[i] = int64(e.Seq), int64(e.Boot), ms(e.Time)
		score[i], total[i], rating[i], afterHours[i] = int64(e.Score), int64(e.Total), int64(e.Rating), int64(b2i(e.AfterHours))
		correct[i], passed[i] = opt(e.Correct), opt(e.Passed)
		if dy, hr := bucket(e.Time, zones[e.Site], now); dy != nil {
			ds, h := dy.(string), int64(hr.(int))
			day[i], hour[i] = &ds, &h
		}
	}
	q := `INSERT INTO events (` + eventColumns + `)
		SELECT u.*, $23::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
			$8::text[], $9::text[], $10::int[], $11::int[], $12::int[], $13::int[], $14::int[], $15::text[], $16::text[], $17::text[],
			$18::text[], $19::text[], $20::int[], $21::text[], $22::int[]) AS u`
	args := []any{site, device, epoch, seq, boot, at, kind, module, step, correct, score, total, passed, rating,
		reason, lang, sensor, pack, packVer, afterHours, day, hour, now}
	if !dedupe {
		_, err := tx.ExecContext(ctx, q, args...)
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, q+` ON CONFLICT (site, device, epoch, seq) DO NOTHING RETURNING site, device, epoch, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []seqKey
	for rows.Next() {
		var k seqKey
		if err := rows.Scan(&k.site, &k.device, &k.epoch, &k.seq); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// seqKey names one event.
type seqKey struct {
	streamKey
	seq int64
}

type mark struct{ through, maxSeq int64 }

// upsertStreams makes sure every stream of evs has its row and returns
// each one's marks. The upsert also locks the rows until commit, so two
// replicas storing the same stream take turns.
func upsertStreams(ctx context.Context, tx *sql.Tx, evs []Event, now int64, n int) (map[streamKey]mark, error) {
	var keys []streamKey
	for i, e := range evs {
		if i == 0 || e.key() != evs[i-1].key() {
			keys = append(keys, e.key())
		}
	}
	marks := make(map[streamKey]mark, len(keys))
	for start := 0; start < len(keys); start += n {
		chunk := keys[start:min(start+n, len(keys))]
		var q strings.Builder
		args := []any{now}
		q.WriteString(`INSERT INTO streams (site, device, epoch, first_heard, last_heard) VALUES `)
		for i, k := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			args = append(args, k.site, k.device, k.epoch)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $1, $1)", len(args)-2, len(args)-1, len(args))
		}
		q.WriteString(` ON CONFLICT (site, device, epoch) DO UPDATE SET last_heard = excluded.last_heard
			RETURNING site, device, epoch, complete_through, max_seq`)
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("streams: %w", err)
		}
		for rows.Next() {
			var k streamKey
			var m mark
			if err := rows.Scan(&k.site, &k.device, &k.epoch, &m.through, &m.maxSeq); err != nil {
				rows.Close()
				return nil, err
			}
			marks[k] = m
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("streams: %w", err)
		}
	}
	return marks, nil
}

// moveMarks sets complete_through and max_seq of streams (site, device,
// epoch, mark rows) in one UPDATE … FROM (VALUES …) per chunk.
func moveMarks(ctx context.Context, tx *sql.Tx, rows [][]any, n int) error {
	for start := 0; start < len(rows); start += n {
		chunk := rows[start:min(start+n, len(rows))]
		var q strings.Builder
		var args []any
		q.WriteString(`UPDATE streams SET complete_through = v.column4, max_seq = v.column4 FROM (VALUES `)
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&q, "(CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS BIGINT))", n+1, n+2, n+3, n+4)
			args = append(args, r...)
		}
		q.WriteString(`) AS v WHERE streams.site = v.column1 AND streams.device = v.column2 AND streams.epoch = v.column3`)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("complete-through: %w", err)
		}
	}
	return nil
}

func uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// advance moves the stream's complete-through mark over the contiguous
// events stored after it, and its max_seq up to top.
func advance(ctx context.Context, tx *sql.Tx, k streamKey, through, top int64) error {
	mark := through
	for {
		rows, err := tx.QueryContext(ctx, `SELECT seq FROM events WHERE site = $1 AND device = $2 AND epoch = $3 AND seq > $4
			ORDER BY seq LIMIT 1000`, k.site, k.device, k.epoch, mark)
		if err != nil {
			return fmt.Errorf("complete-through: %w", err)
		}
		n, gap := 0, false
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return err
			}
			n++
			if seq != mark+1 {
				gap = true
				break
			}
			mark = seq
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("complete-through: %w", err)
		}
		if gap || n < 1000 {
			break
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE streams SET
		complete_through = CASE WHEN complete_through < $4 THEN $4 ELSE complete_through END,
		max_seq = CASE WHEN max_seq < $5 THEN $5 ELSE max_seq END
		WHERE site = $1 AND device = $2 AND epoch = $3`, k.site, k.device, k.epoch, mark, top)
	if err != nil {
		return fmt.Errorf("complete-through: %w", err)
	}
	return nil
}

// touchAll records that the sites and devices of evs were heard from, in
// one statement each.
// A device touched less than a second ago is not touched again: "last
// heard" to the second is enough, and a catch-up stores many batches a
// second.
func (d *DB) touchAll(ctx context.Context, tx *sql.Tx, evs []Event, now int64) error {
	var sites []string
	var devs [][2]string
	d.mu.Lock()
	for i, e := range evs {
		if i > 0 && e.Site == evs[i-1].Site && e.Device == evs[i-1].Device {
			continue
		}
		key := e.Site + "\x00" + e.Device
		if now-d.touched[key] < 1000 {
			continue
		}
		d.touched[key] = now
		if len(sites) == 0 || sites[len(sites)-1] != e.Site {
			sites = append(sites, e.Site)
		}
		devs = append(devs, [2]string{e.Site, e.Device})
	}
	d.mu.Unlock()
	if len(devs) == 0 {
		return nil
	}
	var q strings.Builder
	args := []any{now}
	q.WriteString(`INSERT INTO sites (site, first_heard, last_heard) VALUES `)
	for i, s := range sites {
		if i > 0 {
			q.WriteByte(',')
		}
		args = append(args, s)
		fmt.Fprintf(&q, "($%d, $1, $1)", len(args))
	}
	q.WriteString(` ON CONFLICT (site) DO UPDATE SET last_heard = CASE WHEN excluded.last_heard > sites.last_heard THEN excluded.last_heard ELSE sites.last_heard END`)
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("sites: %w", err)
	}
	q.Reset()
	args = []any{now}
	q.WriteString(`INSERT INTO devices (site, device, first_heard, last_heard) VALUES `)
	for i, d := range devs {
		if i > 0 {
			q.WriteByte(',')
		}
		args = append(args, d[0], d[1])
		fmt.Fprintf(&q, "($%d, $%d, $1, $1)", len(args)-1, len(args))
	}
	q.WriteString(` ON CONFLICT (site, device) DO UPDATE SET last_heard = CASE WHEN excluded.last_heard > devices.last_heard THEN excluded.last_heard ELSE devices.last_heard END`)
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	return nil
}

// touch records that a site and a device were heard from.
func touch(ctx context.Context, tx *sql.Tx, site, device string, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO sites (site, first_heard, last_heard) VALUES ($1, $2, $2)
		ON CONFLICT (site) DO UPDATE SET last_heard = CASE WHEN excluded.last_heard > sites.last_heard THEN excluded.last_heard ELSE sites.last_heard END`,
		site, now); err != nil {
		return fmt.Errorf("site %s: %w", site, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO devices (site, device, first_heard, last_heard) VALUES ($1, $2, $3, $3)
		ON CONFLICT (site, device) DO UPDATE SET last_heard = CASE WHEN excluded.last_heard > devices.last_heard THEN excluded.last_heard ELSE devices.last_heard END`,
		site, device, now); err != nil {
		return fmt.Errorf("device %s/%s: %w", site, device, err)
	}
	return nil
}

// bucket returns the local day and hour of t in loc, as SQL values (NULL
// while the site's zone is unknown). An event without a time is bucketed by
// when it was received.
func bucket(t time.Time, loc *time.Location, now int64) (day, hour any) {
	if loc == nil {
		return nil, nil
	}
	if t.IsZero() {
		t = time.UnixMilli(now)
	}
	lt := t.In(loc)
	return lt.Format(wire.DateLayout), lt.Hour()
}

// text makes free text storable everywhere: PostgreSQL refuses NUL in
// TEXT, and a payload may carry one (JSON allows \u0000).
func text(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

func optBool(b *bool) any {
	if b == nil {
		return nil
	}
	return b2i(*b)
}

// zone returns the site's time zone, nil while none is known.
func (d *DB) zone(ctx context.Context, tx *sql.Tx, site string) (*time.Location, error) {
	d.mu.Lock()
	loc, ok := d.zones[site]
	d.mu.Unlock()
	if ok {
		return loc, nil
	}
	var name string
	err := tx.QueryRowContext(ctx, `SELECT timezone FROM sites WHERE site = $1`, site).Scan(&name)
	if err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("site %s time zone: %w", site, err)
	}
	if name == "" {
		return nil, nil
	}
	loc, err = time.LoadLocation(name)
	if err != nil {
		return nil, nil
	}
	d.mu.Lock()
	d.zones[site] = loc
	d.mu.Unlock()
	return loc, nil
}

// aggregate collects what new events add to the hourly, module and answer
// tables, so each row is upserted once per transaction.
type aggregate struct {
	hours   map[hourKey]*Bucket
	modules map[dayItemKey]*[3]int64
	answers map[dayItemKey]*answerDelta
}

type hourKey struct {
	site, day string
	hour      int
	device    string
	epoch     string
}

type dayItemKey struct{ site, day, item, device, epoch string }

type answerDelta struct {
	module       string
	right, wrong int64
}

func newAggregate() *aggregate {
	return &aggregate{hours: map[hourKey]*Bucket{}, modules: map[dayItemKey]*[3]int64{}, answers: map[dayItemKey]*answerDelta{}}
}

func (a *aggregate) add(e *Event, day string, hour int) {
	hb := func() *Bucket {
		k := hourKey{e.Site, day, hour, e.Device, e.Epoch}
		b := a.hours[k]
		if b == nil {
			b = &Bucket{}
			a.hours[k] = b
		}
		return b
	}
	mod := func() *[3]int64 {
		k := dayItemKey{e.Site, day, e.Module, e.Device, e.Epoch}
		m := a.modules[k]
		if m == nil {
			m = &[3]int64{}
			a.modules[k] = m
		}
		return m
	}
	switch e.Kind {
	case wire.DoorEntry:
		b := hb()
		b.Entries++
		if e.AfterHours {
			b.AfterHoursEntries++
		}
	case wire.DoorExit:
		b := hb()
		b.Exits++
		if e.AfterHours {
			b.AfterHoursExits++
		}
	case wire.SessionStart:
		hb().Sessions++
	case wire.Feedback:
		if e.Rating >= 1 && e.Rating <= 3 {
			hb().Feedback[e.Rating-1]++
		}
	case wire.SensorFault:
		hb().SensorFaults++
	case wire.ModuleStart:
		mod()[0]++
	case wire.ModuleComplete:
		m := mod()
		m[1]++
		if e.Passed != nil && *e.Passed {
			m[2]++
		}
	case wire.StepAnswer:
		k := dayItemKey{e.Site, day, e.Step, e.Device, e.Epoch}
		ad := a.answers[k]
		if ad == nil {
			ad = &answerDelta{module: e.Module}
			a.answers[k] = ad
		}
		if e.Correct != nil && *e.Correct {
			ad.right++
		} else {
			ad.wrong++
		}
	}
}

// rows returns the aggregate's rows for the hourly, module_day and
// answer_day tables, each sorted by key (two writers upsert in the same
// order, so they wait for each other instead of deadlocking).
func (a *aggregate) rows() (hours, modules, answers [][]any) {
	hk := slices.SortedFunc(mapKeys(a.hours), func(x, y hourKey) int {
		return cmp.Or(cmp.Compare(x.site, y.site), cmp.Compare(x.day, y.day), cmp.Compare(x.hour, y.hour), cmp.Compare(x.device, y.device), cmp.Compare(x.epoch, y.epoch))
	})
	for _, k := range hk {
		b := a.hours[k]
		hours = append(hours, []any{k.site, k.day, k.hour, k.device, k.epoch, b.Entries, b.Exits, b.AfterHoursEntries, b.AfterHoursExits,
			b.Sessions, b.Feedback[0], b.Feedback[1], b.Feedback[2], b.SensorFaults})
	}
	cmpItem := func(x, y dayItemKey) int {
		return cmp.Or(cmp.Compare(x.site, y.site), cmp.Compare(x.day, y.day), cmp.Compare(x.item, y.item), cmp.Compare(x.device, y.device), cmp.Compare(x.epoch, y.epoch))
	}
	for _, k := range slices.SortedFunc(mapKeys(a.modules), cmpItem) {
		m := a.modules[k]
		modules = append(modules, []any{k.site, k.day, k.item, k.device, k.epoch, m[0], m[1], m[2]})
	}
	for _, k := range slices.SortedFunc(mapKeys(a.answers), cmpItem) {
		ad := a.answers[k]
		answers = append(answers, []any{k.site, k.day, k.item, k.device, k.epoch, ad.module, ad.right, ad.wrong})
	}
	return hours, modules, answers
}

// The aggregates' upserts: what an existing row gains from a new one.
const (
	hourlyColumns  = `site, day, hour, device, epoch, entries, exits, ah_entries, ah_exits, sessions, fb1, fb2, fb3, faults`
	hourlyConflict = ` ON CONFLICT (site, day, hour, device, epoch) DO UPDATE SET
			entries = hourly.entries + excluded.entries, exits = hourly.exits + excluded.exits,
			ah_entries = hourly.ah_entries + excluded.ah_entries, ah_exits = hourly.ah_exits + excluded.ah_exits,
			sessions = hourly.sessions + excluded.sessions, fb1 = hourly.fb1 + excluded.fb1,
			fb2 = hourly.fb2 + excluded.fb2, fb3 = hourly.fb3 + excluded.fb3, faults = hourly.faults + excluded.faults`
	moduleColumns  = `site, day, module, device, epoch, started, completed, passed`
	moduleConflict = ` ON CONFLICT (site, day, module, device, epoch) DO UPDATE SET started = module_day.started + excluded.started,
			completed = module_day.completed + excluded.completed, passed = module_day.passed + excluded.passed`
	answerColumns  = `site, day, step, device, epoch, module, right_n, wrong_n`
	answerConflict = ` ON CONFLICT (site, day, step, device, epoch) DO UPDATE SET right_n = answer_day.right_n + excluded.right_n,
			wrong_n = answer_day.wrong_n + excluded.wrong_n`
)

func (a *aggregate) flush(ctx context.Context, tx *sql.Tx, n int) error {
	hours, modules, answers := a.rows()
	if err := upsertRows(ctx, tx, n, `INSERT INTO hourly (`+hourlyColumns+`) VALUES `, hourlyConflict, hours); err != nil {
		return fmt.Errorf("hourly: %w", err)
	}
	if err := upsertRows(ctx, tx, n, `INSERT INTO module_day (`+moduleColumns+`) VALUES `, moduleConflict, modules); err != nil {
		return fmt.Errorf("module_day: %w", err)
	}
	if err := upsertRows(ctx, tx, n, `INSERT INTO answer_day (`+answerColumns+`) VALUES `, answerConflict, answers); err != nil {
		return fmt.Errorf("answer_day: %w", err)
	}
	return nil
}

// flushPostgres moves the streams' marks (rows of site, device, epoch,
// mark, as moveMarks takes them) and upserts the aggregates in a single
// statement, one round trip: each table's rows travel as column arrays
// and each write is a data-modifying WITH clause, which PostgreSQL runs
// to completion whether or not the final SELECT reads it.
func (a *aggregate) flushPostgres(ctx context.Context, tx *sql.Tx, marks [][]any) error {
	hours, modules, answers := a.rows()
	var args []any
	arrays := func(rows [][]any, types ...string) string {
		cols := make([][]any, len(types))
		for _, r := range rows {
			for j, v := range r {
				cols[j] = append(cols[j], v)
			}
		}
		var q strings.Builder
		for j, t := range types {
			if j > 0 {
				q.WriteString(", ")
			}
			args = append(args, cols[j])
			fmt.Fprintf(&q, "$%d::%s[]", len(args), t)
		}
		return q.String()
	}
	q := `WITH m AS (UPDATE streams SET complete_through = v.mark, max_seq = v.mark
			FROM unnest(` + arrays(marks, "text", "text", "text", "bigint") + `) AS v(site, device, epoch, mark)
			WHERE streams.site = v.site AND streams.device = v.device AND streams.epoch = v.epoch),
		h AS (INSERT INTO hourly (` + hourlyColumns + `) SELECT * FROM unnest(` +
		arrays(hours, "text", "text", "int", "text", "text", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint") +
		`)` + hourlyConflict + `),
		md AS (INSERT INTO module_day (` + moduleColumns + `) SELECT * FROM unnest(` +
		arrays(modules, "text", "text", "text", "text", "text", "bigint", "bigint", "bigint") + `)` + moduleConflict + `),
		ad AS (INSERT INTO answer_day (` + answerColumns + `) SELECT * FROM unnest(` +
		arrays(answers, "text", "text", "text", "text", "text", "text", "bigint", "bigint") + `)` + answerConflict + `)
		SELECT 1`
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("complete-through and aggregates: %w", err)
	}
	return nil
}

// upsertRows runs head VALUES (…),(…) tail for rows, n rows a statement
// (each key appears once: one statement may not update a row twice).
func upsertRows(ctx context.Context, tx *sql.Tx, n int, head, tail string, rows [][]any) error {
	for start := 0; start < len(rows); start += n {
		chunk := rows[start:min(start+n, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		var args []any
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := range r {
				if j > 0 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "$%d", len(args)+j+1)
			}
			q.WriteByte(')')
			args = append(args, r...)
		}
		q.WriteString(tail)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// StoreTotals keeps t as the device's totals for epoch when it is newer
// than what is stored (higher seq; at the same seq a later date, then a
// later device time: the midnight reset of today keeps the seq). The first totals that name a site's time
// zone also bucket the site's events that arrived before it. It reports
// whether t was kept.
func (d *DB) StoreTotals(ctx context.Context, epoch string, t wire.Totals, now time.Time) (bool, error) {
	life, err := json.Marshal(t.Lifetime)
	if err != nil {
		return false, err
	}
	today, err := json.Marshal(t.Today)
	if err != nil {
		return false, err
	}
	var kept bool
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		nowMS := ms(now)
		if err := touch(ctx, tx, t.Site, t.Device, nowMS); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO totals (site, device, epoch, seq, boot, time, date, timezone, lifetime, today, received)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (site, device, epoch) DO UPDATE SET seq = excluded.seq, boot = excluded.boot, time = excluded.time,
				date = excluded.date, timezone = excluded.timezone, lifetime = excluded.lifetime, today = excluded.today,
				received = excluded.received
			WHERE excluded.seq > totals.seq OR (excluded.seq = totals.seq AND (excluded.date > totals.date
				OR (excluded.date = totals.date AND excluded.time > totals.time)))`,
			t.Site, t.Device, epoch, int64(t.Seq), int64(t.Boot), ms(t.Time), t.Date, t.TimeZone, string(life), string(today), nowMS)
		if err != nil {
			return fmt.Errorf("totals: %w", err)
		}
		n, _ := res.RowsAffected()
		kept = n > 0
		if t.TimeZone != "" {
			return d.setZone(ctx, tx, t.Site, t.TimeZone, nowMS)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store totals %s/%s: %w", t.Site, t.Device, err)
	}
	return kept, nil
}

// setZone records a site's time zone the first time it is named and
// buckets the events that were waiting for it. A site whose zone changes
// keeps its older buckets (they were right when they were made) and
// buckets new events in the new zone.
func (d *DB) setZone(ctx context.Context, tx *sql.Tx, site, name string, now int64) error {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil // a zone the system does not know: events wait
	}
	d.mu.Lock()
	known := d.zones[site]
	d.mu.Unlock()
	if known != nil && known.String() == loc.String() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sites SET timezone = $2 WHERE site = $1 AND timezone <> $2`, site, name); err != nil {
		return fmt.Errorf("site time zone: %w", err)
	}
	// Bucket what arrived before the zone was known. The UPDATE … WHERE day
	// IS NULL claims each row, so two replicas never count one twice.
	rows, err := tx.QueryContext(ctx, `SELECT device, epoch, seq, time, kind, module, step, correct, passed, rating, after_hours
		FROM events WHERE site = $1 AND day IS NULL ORDER BY device, epoch, seq`, site)
	if err != nil {
		return fmt.Errorf("pending events: %w", err)
	}
	var pending []Event
	for rows.Next() {
		e := Event{Site: site}
		var seq, t int64
		var kind string
		var correct, passed sql.NullInt64
		var ah int
		if err := rows.Scan(&e.Device, &e.Epoch, &seq, &t, &kind, &e.Module, &e.Step, &correct, &passed, &e.Rating, &ah); err != nil {
			rows.Close()
			return err
		}
		e.Seq, e.Time, e.Kind, e.AfterHours = uint64(seq), fromMS(t), wire.Kind(kind), ah != 0
		e.Correct, e.Passed = nullBool(correct), nullBool(passed)
		pending = append(pending, e)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("pending events: %w", err)
	}
	agg := newAggregate()
	for i := range pending {
		e := &pending[i]
		day, hour := bucket(e.Time, loc, now)
		res, err := tx.ExecContext(ctx, `UPDATE events SET day = $5, hour = $6 WHERE site = $1 AND device = $2 AND epoch = $3 AND seq = $4 AND day IS NULL`,
			site, e.Device, e.Epoch, int64(e.Seq), day, hour)
		if err != nil {
			return fmt.Errorf("bucket event: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			agg.add(e, day.(string), hour.(int))
		}
	}
	if err := agg.flush(ctx, tx, d.chunk()); err != nil {
		return err
	}
	// The cache is filled after commit would be cleaner, but a rolled back
	// transaction is retried and sets it again; a stale entry only means
	// the zone is known a little early.
	d.mu.Lock()
	d.zones[site] = loc
	d.mu.Unlock()
	return nil
}

func nullBool(v sql.NullInt64) *bool {
	if !v.Valid {
		return nil
	}
	b := v.Int64 != 0
	return &b
}

// StoreDaily keeps a closed day of a device's epoch when its seq is at
// least the stored one's. It reports whether it was kept.
func (d *DB) StoreDaily(ctx context.Context, site, device, epoch string, dl wire.Daily, now time.Time) (bool, error) {
	b, err := json.Marshal(dl.Counters)
	if err != nil {
		return false, err
	}
	c := dl.Counters
	var kept bool
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, site, device, ms(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO daily (site, device, epoch, day, seq, entries, exits, ah_entries, ah_exits, sessions, fb1, fb2, fb3, faults, counters, received)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (site, day, device, epoch) DO UPDATE SET seq = excluded.seq, entries = excluded.entries, exits = excluded.exits,
				ah_entries = excluded.ah_entries, ah_exits = excluded.ah_exits, sessions = excluded.sessions,
				fb1 = excluded.fb1, fb2 = excluded.fb2, fb3 = excluded.fb3, faults = excluded.faults,
				counters = excluded.counters, received = excluded.received
			WHERE excluded.seq > daily.seq`,
			site, device, epoch, dl.Date, int64(dl.Seq), int64(c.Entries), int64(c.Exits), int64(c.AfterHoursEntries), int64(c.AfterHoursExits),
			int64(c.Sessions), int64(c.Feedback[0]), int64(c.Feedback[1]), int64(c.Feedback[2]), int64(c.SensorFaults), string(b), ms(now))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		kept = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store daily %s/%s %s: %w", site, device, dl.Date, err)
	}
	return kept, nil
}

// StoreStatus keeps a device's status. Statuses are applied in the order a
// hub receives them (MQTT keeps a topic's order), except that an online
// status stamped earlier than the stored one is an old retained message
// and is ignored; an offline one (the last will, stamped when its session
// began) always applies.
func (d *DB) StoreStatus(ctx context.Context, site, device, epoch string, st wire.Status, now time.Time) error {
	sensors, err := json.Marshal(st.Sensors)
	if err != nil {
		return err
	}
	if st.Sensors == nil {
		sensors = []byte("{}")
	}
	var since int64
	if st.ConnectedSince != nil {
		since = ms(*st.ConnectedSince)
	}
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		nowMS := ms(now)
		if err := touch(ctx, tx, site, device, nowMS); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE devices SET
				online_changed = CASE WHEN has_status = 0 OR online <> $3 THEN $4 ELSE online_changed END,
				has_status = 1, online = $3, status_time = $5, app = $6, pack = $7, pack_version = $8, boot = $9,
				backlog = $10, dropped = $11, sensors = $12, connected_since = $13, last_error = $14,
				epoch = CASE WHEN $15 = '' THEN epoch ELSE $15 END
			WHERE site = $1 AND device = $2 AND ($3 = 0 OR status_time <= $5)`,
			site, device, b2i(st.Online), nowMS, ms(st.Time), text(st.App), text(st.Pack), text(st.PackVersion), int64(st.Boot),
			int64(st.Backlog), int64(st.Dropped), string(sensors), since, text(st.LastError), epoch)
		if err != nil || !st.Online {
			// A last will's offer report is the one of its connect time:
			// keep the newer one the device sent while online.
			return err
		}
		return storeOfferState(ctx, tx, site, device, st)
	})
	if err != nil {
		return fmt.Errorf("store status %s/%s: %w", site, device, err)
	}
	return nil
}

// Prune deletes raw events older than before, but only those at or below
// their stream's complete-through mark: a replay of those is recognised by
// the mark alone, so deleting them can never let one count twice. The
// aggregates are kept for ever. It returns how many events it deleted.
func (d *DB) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM events WHERE time < $1 AND seq <= (SELECT s.complete_through FROM streams s
		WHERE s.site = events.site AND s.device = events.device AND s.epoch = events.epoch)`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return res.RowsAffected()
}
