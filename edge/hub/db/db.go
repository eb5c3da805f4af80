// Package db is the hub's storage: one schema and one query layer in plain
// SQL over database/sql, on SQLite (modernc.org/sqlite, pure Go, the
// default: one file in the data folder, WAL mode) or PostgreSQL
// (github.com/jackc/pgx/v5, for several hub replicas sharing a database).
//
// The statements are the same text on both backends: $1-style parameters,
// INSERT … ON CONFLICT, RETURNING, Unix-millisecond times and 0/1 booleans
// are understood by both, so there is one query layer and the same tests
// run against each.
//
// # Exactness
//
// Every write is idempotent, so replays, duplicates and two replicas
// receiving the same message change nothing:
//
//   - an event is stored once, keyed by (site, device, epoch, seq), and the
//     hourly, module and answer aggregates grow in the same transaction, by
//     exactly the rows the INSERT … ON CONFLICT DO NOTHING … RETURNING
//     reports as new;
//   - totals are kept per (site, device, epoch): the highest seq wins (then
//     the latest device time, for the midnight reset that keeps the seq), so
//     an old retained message arriving late never lowers a number;
//   - a closed day (daily/{date}) is kept per (site, device, epoch, date),
//     highest seq wins;
//   - each (site, device, epoch) stream keeps "complete through seq N": every
//     event up to N is (or was) stored. Events at or below N are replays and
//     are dropped before they reach the INSERT, which is also what lets the
//     retention delete old raw events without a replay counting them again.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Backend names a database engine.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// DB is the hub's database.
type DB struct {
	sql     *sql.DB
	backend Backend

	mu    sync.Mutex
	zones map[string]*time.Location // site -> its time zone, once known
	// touched is when each site/device's last_heard was last written.
	touched map[string]int64

	// checkAll makes every event INSERT check for conflicts (set after a
	// row the streams did not know of turned up).
	checkAll atomic.Bool
}

// Open opens (and migrates) the database named by url: a postgres:// or
// postgresql:// URL for PostgreSQL, otherwise a SQLite file path (a
// "sqlite://" prefix is allowed). A SQLite file's folder is created.
func Open(ctx context.Context, url string) (*DB, error) {
	var d *DB
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgresql: %w", err)
		}
		s.SetMaxOpenConns(8)
		s.SetMaxIdleConns(8)
		d = &DB{sql: s, backend: Postgres}
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			return nil, errors.New("open sqlite: no file name")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// WAL lets the dashboard read while ingest writes; busy_timeout
		// makes a second writer wait instead of failing; _txlock=immediate
		// takes the write lock at BEGIN, so two writing transactions never
		// deadlock on a read lock each wants to upgrade.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(OFF)&_txlock=immediate"
		s, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		s.SetMaxOpenConns(4)
		s.SetMaxIdleConns(4)
		s.SetConnMaxIdleTime(0)
		d = &DB{sql: s, backend: SQLite}
	}
	d.zones = map[string]*time.Location{}
	d.touched = map[string]int64{}
	if err := d.sql.PingContext(ctx); err != nil {
		d.sql.Close()
		return nil, fmt.Errorf("open %s database: %w", d.backend, err)
	}
	if err := d.migrate(ctx); err != nil {
		d.sql.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

// Healthy reports whether d answers, for the service watchdog: nil when a
// ping returns in time. A PostgreSQL server that cannot be reached (down,
// restarting, the network) is an outage the hub rides out (ingest retries,
// /healthz reports it) and counts as healthy: restarting the hub would not
// bring the server back, and a hub that cannot open its database at start
// exits. A ping that does not return (every connection held), a closed
// handle, or any SQLite error (the file is the hub's own) is unhealthy.
func (d *DB) Healthy(ctx context.Context) error {
	err := d.sql.PingContext(ctx)
	if err == nil {
		return nil
	}
	var conn *pgconn.ConnectError
	if d.backend == Postgres && ctx.Err() == nil && errors.As(err, &conn) {
		return nil
	}
	return fmt.Errorf("the %s database does not answer: %w", d.backend, err)
}

// Backend reports which engine d runs on.
func (d *DB) Backend() Backend { return d.backend }

// SQL is the underlying handle, for benchmarks and tests that generate
// data directly.
func (d *DB) SQL() *sql.DB { return d.sql }

// SchemaVersion is the number of migrations applied.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := d.sql.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	return v, err
}

// migrate applies the migrations not applied yet, each in its own
// transaction. On PostgreSQL an advisory lock makes replicas starting
// together take turns.
func (d *DB) migrate(ctx context.Context) error {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if d.backend == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(74220014)`); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(74220014)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	switch err := conn.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&current); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := conn.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	case err != nil:
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this wufang-hub knows (%d): run the newer wufang-hub, or restore a backup", current, len(migrations))
	}
	for v := current; v < len(migrations); v++ {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		for _, stmt := range statements(migrations[v]) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate to %d: %w\n%s", v+1, err, stmt)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1`, v+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
	}
	return nil
}

// statements splits a migration into its statements (none of ours has a
// semicolon inside a literal).
func statements(s string) []string {
	var out []string
	for _, st := range strings.Split(s, ";") {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}

// inTx runs f in a transaction and commits it. On PostgreSQL a deadlock or
// serialization failure (two replicas upserting the same rows in a
// different order) is retried a few times: every write here is idempotent.
func (d *DB) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := d.tryTx(ctx, f)
		var pe *pgconn.PgError
		if err != nil && attempt < 5 && errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
			time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
			continue
		}
		return err
	}
}

func (d *DB) tryTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
