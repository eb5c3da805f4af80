#!/bin/sh
# Peak resident memory of `wufang-edge run` holding a large unsent backlog:
# fills a fresh store with N events (default 1,000,000) with a Go helper,
# runs the daemon with simulated sensors and the uplink pointing at a closed
# loopback port (so the backlog stays), and reads VmHWM from /proc after a
# while. Target: at most 64 MiB.
#
#   build/bench-rss.sh [events] [seconds]
set -eu
cd "$(dirname "$0")/.."
n="${1:-1000000}"
secs="${2:-15}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/wufang-edge" ./edge/cmd/wufang-edge
go build -o "$work/fillstore" ./edge/cmd/wufang-edge/internal/fillstore
cat > "$work/wufang.yaml" <<YAML
site: bench
device: door-1
data_dir: $work/data
mqtt:
  broker: tcp://127.0.0.1:9   # nothing listens: the backlog is held, not sent
http:
  listen: 127.0.0.1:0
sensors:
  simulate: true
YAML
echo "filling the store with $n events…"
"$work/fillstore" --config "$work/wufang.yaml" --n "$n"
"$work/wufang-edge" --config "$work/wufang.yaml" run 2> "$work/daemon.log" &
pid=$!
sleep "$secs"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || { echo "wufang-edge did not exit cleanly:"; cat "$work/daemon.log"; exit 1; }
grep -q "uplink down" "$work/daemon.log" || { echo "the uplink was expected to be down:"; cat "$work/daemon.log"; exit 1; }
awk -v hwm="$hwm" -v rss="$rss" -v n="$n" 'BEGIN {
	printf "wufang-edge run holding a %d-event backlog: peak RSS (VmHWM) %.1f MiB, RSS at the end %.1f MiB (target <= 64 MiB)\n", n, hwm/1024, rss/1024
}'
