package db_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
)

// TestHealthy: the hub's own SQLite file answers, until the handle is
// closed; a PostgreSQL server that went away is an outage, not a reason to
// restart the hub (its pings fail, Healthy still says nil).
func TestHealthy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lite, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.Healthy(ctx); err != nil {
		t.Fatalf("SQLite: %v", err)
	}
	lite.Close()
	if err := lite.Healthy(ctx); err == nil || !strings.Contains(err.Error(), "the sqlite database does not answer: sql: database is closed") {
		t.Fatalf("SQLite after Close: %v", err)
	}

	srv := pgtest.Start(t)
	pg, err := db.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.Healthy(ctx); err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	srv.Stop()
	if err := pg.SQL().PingContext(ctx); err == nil {
		t.Fatal("a ping of the stopped server worked")
	}
	if err := pg.Healthy(ctx); err != nil {
		t.Fatalf("PostgreSQL down: %v, want nil (an outage)", err)
	}
	pg.Close()
	if err := pg.Healthy(ctx); err == nil {
		t.Fatal("PostgreSQL after Close: healthy")
	}
}
