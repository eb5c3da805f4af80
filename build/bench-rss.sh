#!/bin/sh
# Peak resident memory of `wufang-edge run` holding a large unsent backlog:
# fills a fresh store with N events (default 1,000,000) with a Go helper,
# runs the daemon with simulated sensors and the uplink pointing at a closed
# loopback port (so the backlog stays), and reads VmHWM from /proc after a
# while. Target: at most 64 MiB.
#
# With "drain" as third argument the daemon sends the backlog instead, to a
# mosquitto started on a free loopback port, and the figure is the peak
# while draining.
#
#   build/bench-rss.sh [events] [seconds] [drain]
set -eu
cd "$(dirname "$0")/.."
n="${1:-1000000}"
secs="${2:-15}"
mode="${3:-hold}"
work=$(mktemp -d)
mqpid=""
cleanup() {
	[ -n "$mqpid" ] && kill "$mqpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
broker="tcp://127.0.0.1:9   # nothing listens: the backlog is held, not sent"
if [ "$mode" = drain ]; then
	port=18830
	while :; do
		printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$work/mosquitto.conf"
		[ "$(id -u)" = 0 ] && echo "user root" >> "$work/mosquitto.conf"
		/usr/sbin/mosquitto -c "$work/mosquitto.conf" 2> "$work/mosquitto.log" &
		mqpid=$!
		sleep 0.5
		kill -0 "$mqpid" 2>/dev/null && break
		port=$((port + 1))
		[ "$port" -lt 18900 ] || { echo "no free port for mosquitto"; cat "$work/mosquitto.log"; exit 1; }
	done
	broker="tcp://127.0.0.1:$port"
fi
CGO_ENABLED=0 go build -o "$work/wufang-edge" ./edge/cmd/wufang-edge
go build -o "$work/fillstore" ./edge/cmd/wufang-edge/internal/fillstore
cat > "$work/wufang.yaml" <<YAML
site: bench
device: door-1
data_dir: $work/data
mqtt:
  broker: $broker
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
if [ "$mode" = drain ]; then
	backlog=$("$work/wufang-edge" --config "$work/wufang.yaml" status | sed -n 's/.*backlog \([0-9]*\).*/\1/p')
	what="draining a $n-event backlog for ${secs}s ($backlog left)"
else
	grep -q "uplink down" "$work/daemon.log" || { echo "the uplink was expected to be down:"; cat "$work/daemon.log"; exit 1; }
	what="holding a $n-event backlog"
fi
awk -v hwm="$hwm" -v rss="$rss" -v what="$what" 'BEGIN {
	printf "wufang-edge run %s: peak RSS (VmHWM) %.1f MiB, RSS at the end %.1f MiB (target <= 64 MiB)\n", what, hwm/1024, rss/1024
}'
