#!/usr/bin/env bash
# bench-store.sh — durable ingest of edge/store: group commit against one
# bbolt db.Update per event, measured in ONE `go test -bench` invocation so
# both see the same machine and disk, and the ratio is what counts.
#
#   BenchmarkRecordGroupCommit64  Store.Record from 64 goroutines
#   BenchmarkUpdatePerEvent       the same events from 64 goroutines, each its
#                                 own db.Update (append + counters; one fsync)
#   BenchmarkDBBatch64            the same with bbolt's db.Batch, for reference
#
# Target: group commit >= 10x the per-event baseline, and <= 160 bytes on disk
# per event (file size / events, reported by the group-commit benchmark and
# by TestBytesPerEvent over 100,000 events).
#
# Usage: build/bench-store.sh [EVENTS [COUNT]]   (defaults 3000 events, 3 runs)
# The database files go to $BENCH_DIR (default /var/tmp): it must be on a
# real disk, not tmpfs, or fsync costs nothing and the comparison is void.
source "$(dirname "$0")/lib.sh"

EVENTS=${1:-3000}
COUNT=${2:-3}
BENCH_DIR=${BENCH_DIR:-/var/tmp}
need_go
cd "$WUFANG_ROOT"

fs=$(stat -f -c %T "$BENCH_DIR" 2>/dev/null || echo unknown)
if [ "$fs" = tmpfs ] || [ "$fs" = ramfs ]; then
	echo "warning: $BENCH_DIR is $fs: fsync is free there, set BENCH_DIR to a disk" >&2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
log "go test -bench (group commit vs one Update per event), $EVENTS events x $COUNT runs, files in $BENCH_DIR ($fs)"
TMPDIR=$BENCH_DIR go test -run '^TestBytesPerEvent$' -v \
	-bench '^(BenchmarkRecordGroupCommit64|BenchmarkUpdatePerEvent|BenchmarkDBBatch64)$' \
	-benchtime "${EVENTS}x" -count "$COUNT" ./edge/store | tee "$out"

# Median events/s of each benchmark, then the ratio.
awk '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i + 1) == "events/s") v[name, ++n[name]] = $i
		if ($(i + 1) == "file-bytes/event") bytes = $i
		if ($(i + 1) == "events/commit") batch = $i
	}
}
/bytes\/event; live pages/ { perevent = $0; sub(/^.*events: /, "", perevent) }
END {
	g = "BenchmarkRecordGroupCommit64"; u = "BenchmarkUpdatePerEvent"
	if (!n[g] || !n[u]) { print "benchmarks missing from the output" > "/dev/stderr"; exit 1 }
	for (i = 1; i <= n[g]; i++) gv[i] = v[g, i]
	for (i = 1; i <= n[u]; i++) uv[i] = v[u, i]
	mg = median(gv, n[g]); mu = median(uv, n[u])
	d = "BenchmarkDBBatch64"
	if (n[d]) { for (i = 1; i <= n[d]; i++) dv[i] = v[d, i]; md = median(dv, n[d]) }
	printf "\ngroup commit (64 recorders): %10.0f events/s (median of %d), %s events per commit in the last run\n", mg, n[g], batch
	printf "one Update per event:        %10.0f events/s (median of %d)\n", mu, n[u]
	if (n[d]) printf "bbolt db.Batch (64 recorders): %8.0f events/s (median of %d)\n", md, n[d]
	printf "ratio group commit / Update: %10.1fx   (target >= 10x)\n", mg / mu
	if (n[d]) printf "ratio group commit / Batch:  %10.1fx\n", mg / md
	if (perevent != "") printf "bytes on disk, 100,000 events: %s   (target <= 160)\n", perevent
	exit (mg / mu >= 10) ? 0 : 2
}' "$out"
