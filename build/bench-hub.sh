#!/usr/bin/env bash
# bench-hub.sh — the hub's figures, each against a baseline of the same run:
#
#   BenchmarkIngest      events into the database with dedupe, complete-through
#                        and aggregates, against a bare batched INSERT of the
#                        same rows into the same backend (target ratio >= 0.7),
#                        on SQLite and PostgreSQL 15
#   BenchmarkSitePages   a year of history for 200 rooms generated into SQLite;
#                        the site page's queries, p50/p95 (target p95 < 50 ms)
#   BenchmarkCatchUp     1,000,000 events from 20 devices waiting at the broker
#                        for a stopped hub: drain time and the hub's peak RSS
#                        (target <= 128 MiB); CATCHUP_EVENTS=N for fewer
#
# Usage: build/bench-hub.sh [ingest|pages|catchup|all]   (default all)
source "$(dirname "$0")/lib.sh"
need_packages mosquitto postgresql-15
need_go
cd "$WUFANG_ROOT"
what=${1:-all}
if [ "$what" = all ] || [ "$what" = ingest ]; then
	log "ingest: dedupe vs bare INSERT"
	go test -run XXX -bench Ingest -benchtime 5x ./edge/hub/db
fi
if [ "$what" = all ] || [ "$what" = pages ]; then
	log "site pages: a year for 200 rooms (generating takes a minute or two)"
	go test -run XXX -bench SitePages -benchtime 300x -timeout 30m ./edge/hub
fi
if [ "$what" = all ] || [ "$what" = catchup ]; then
	log "catch-up: ${CATCHUP_EVENTS:-1000000} events"
	go test -run XXX -bench CatchUp -benchtime 1x -timeout 60m ./edge/cmd/wufang-hub
fi
