#!/usr/bin/env bash
# run-hub-demo.sh — a district hub fed by simulated rooms, all on this
# machine and on loopback only: a throw-away mosquitto, two wufang-edge
# door counters (one room in Shanghai, one in London) playing a visitor
# script, and wufang-hub storing what they publish in SQLite.
#
#   build/run-hub-demo.sh          then open http://127.0.0.1:9108/ (the dashboard;
#                                  the JSON API is under /api/v1/sites)
#
# Ctrl-C stops everything; the demo's files are in a temporary folder that is
# removed at the end.
source "$(dirname "$0")/lib.sh"
need_packages mosquitto
need_go
cd "$WUFANG_ROOT"

demo=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$demo"
}
trap cleanup EXIT INT TERM

log "building wufang-edge and wufang-hub"
CGO_ENABLED=0 go build -o "$demo/" ./edge/cmd/wufang-edge ./edge/cmd/wufang-hub

port=${DEMO_MQTT_PORT:-18830}
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$demo/mosquitto.conf"
[ "$(id -u)" = 0 ] && echo "user root" >>"$demo/mosquitto.conf"
/usr/sbin/mosquitto -c "$demo/mosquitto.conf" >"$demo/mosquitto.log" 2>&1 &
pids+=($!)
sleep 0.5

# A visitor every few seconds, for ever (the script restarts when it ends).
for i in $(seq 1 40); do printf '+2s enter\n+3s exit\n+1s wave\n'; done >"$demo/visitors.txt"

for room in "demo-shanghai Asia/Shanghai" "demo-london Europe/London"; do
	set -- $room
	cat >"$demo/$1.yaml" <<CFG
site: $1
device: door-1
timezone: $2
data_dir: $demo/$1
mqtt:
  broker: tcp://127.0.0.1:$port
http:
  listen: ""
sensors:
  simulate: true
CFG
	"$demo/wufang-edge" --config "$demo/$1.yaml" run --sim-script "$demo/visitors.txt" >"$demo/$1.log" 2>&1 &
	pids+=($!)
done

cat >"$demo/hub.yaml" <<CFG
data_dir: $demo/hub
mqtt:
  broker: tcp://127.0.0.1:$port
  share_group: ""   # one hub on Mosquitto: a plain subscription
http:
  listen: 127.0.0.1:${DEMO_HUB_PORT:-9108}
CFG
log "dashboard on http://127.0.0.1:${DEMO_HUB_PORT:-9108}/ (no login: loopback only; the API under /api/v1/sites, also /metrics, /healthz); Ctrl-C stops"
"$demo/wufang-hub" --config "$demo/hub.yaml" run &
pids+=($!)
wait "${pids[-1]}"
