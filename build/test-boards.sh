#!/usr/bin/env bash
# Proves the cross-built binaries work on the boards' CPUs, under qemu user
# emulation (build/test.sh runs it; alone: build/test-boards.sh [BIN_DIR]).
# With BIN_DIR (build/cross.sh's output) it tests those binaries; without,
# it cross-builds them first. For each architecture:
#   every binary's --version is the one stamped version;
#   wufang-edge config check passes on the shipped example config;
#   wufang-edge run with simulated sensors counts a scripted visit and sends
#     it to a mosquitto on loopback (status shows it: counts, backlog 0);
#   wufang-render (what wufang-kiosk render runs) draws the built-in pack at 800x480, and every PNG
#     matches the amd64 render within a small tolerance.
source "$(dirname "$0")/lib.sh"
need_packages "${QEMU_PACKAGES[@]}" mosquitto imagemagick python3
cd "$WUFANG_ROOT"
work=$(mktemp -d)
cleanup() {
	[ -n "${mosq_pid:-}" ] && kill "$mosq_pid" 2>/dev/null
	[ -n "${edge_pid:-}" ] && kill "$edge_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$work/bin
	"$WUFANG_ROOT/build/cross.sh" --out "$bin"
fi
want=$(wufang_version)
# Go's asynchronous preemption signals confuse qemu user emulation (random
# crashes and hangs); the boards themselves do not need this.
export GODEBUG=asyncpreemptoff=1 LANG=C.UTF-8
declare -A QEMU=([amd64]= [arm64]=qemu-aarch64-static [armhf]=qemu-arm-static [armel]=qemu-arm-static)
fail() { echo "test-boards: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One broker on loopback for the edge runs.
mqtt_port=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
mosq_pid=$!

# Two visitors walk in, one walks out.
printf '+1s enter\n+1s enter\n+2s exit\n' >"$work/visit.script"

render() { # ARCH OUTDIR
	local q=${QEMU[$1]}
	# wufang-render directly: wufang-kiosk render would exec it, and qemu
	# user emulation cannot exec a foreign binary without binfmt.
	$q "$bin/$1/wufang-render" content/builtin/pack --size 800x480 --lang zh-CN --out "$2" >"$work/render-$1.log" 2>&1 ||
		{ cat "$work/render-$1.log" >&2; fail "$1: wufang-kiosk render failed"; }
}

for a in amd64 arm64 armhf armel; do
	[ -d "$bin/$a" ] || continue
	q=${QEMU[$a]}
	log "$a: --version${q:+ (under $q)}"
	for b in "$bin/$a"/*; do
		[ "$(basename "$b")" = wufang-render ] && continue # a helper of wufang-kiosk render, no --version
		got=$($q "$b" --version 2>/dev/null | head -1)
		case $got in
		"$(basename "$b") $want" | "$(basename "$b") $want "*) ;;
		*) fail "$a: $(basename "$b") --version said '$got', want '$(basename "$b") $want'" ;;
		esac
	done

	log "$a: wufang-edge config check"
	$q "$bin/$a/wufang-edge" --config build/wufang.example.yaml config check >"$work/check.log" 2>&1 ||
		{ cat "$work/check.log" >&2; fail "$a: config check of build/wufang.example.yaml failed"; }

	log "$a: wufang-edge run (simulated sensors, mosquitto on 127.0.0.1:$mqtt_port)"
	http_port=$(free_port)
	rm -rf "$work/data" && mkdir "$work/data"
	sed -e "s|^data_dir: .*|data_dir: $work/data|" -e "s|^  broker: .*|  broker: tcp://127.0.0.1:$mqtt_port|" \
		-e "s|^  listen: .*|  listen: 127.0.0.1:$http_port|" -e "s|^  simulate: false|  simulate: true|" \
		build/wufang.example.yaml >"$work/edge.yaml"
	$q "$bin/$a/wufang-edge" --config "$work/edge.yaml" run --sim-script "$work/visit.script" >"$work/edge-$a.log" 2>&1 &
	edge_pid=$!
	ok=
	for _ in $(seq 120); do
		sleep 0.5
		st=$($q "$bin/$a/wufang-edge" --config "$work/edge.yaml" status --json 2>/dev/null) || continue
		if python3 -c 'import json,sys; s=json.loads(sys.argv[1]); l=s["lifetime"]; u=s["uplink"]
sys.exit(0 if l["entries"]==2 and l["exits"]==1 and s["running"] and u["connected"] and s["store"]["backlog"]==0 else 1)' "$st" 2>/dev/null; then
			ok=1
			break
		fi
	done
	kill -TERM "$edge_pid"
	wait "$edge_pid" || { cat "$work/edge-$a.log" >&2; fail "$a: wufang-edge run did not exit cleanly on SIGTERM"; }
	edge_pid=
	[ -n "$ok" ] || { echo "last status: $st" >&2; cat "$work/edge-$a.log" >&2; fail "$a: the scripted visit (2 in, 1 out) never reached the broker"; }

	[ -x "$bin/$a/wufang-kiosk" ] || continue
	log "$a: wufang-kiosk render (built-in pack, 800x480)"
	render "$a" "$work/render-$a"
	[ "$a" = amd64 ] && continue
	[ -d "$work/render-amd64" ] || fail "no amd64 render to compare with (build amd64 too)"
	n=0
	for ref in "$work/render-amd64"/*.png; do
		png=$work/render-$a/$(basename "$ref")
		[ -f "$png" ] || fail "$a: render made no $(basename "$ref")"
		# Pixels differing by more than 2% of the range; float rounding in
		# the rasterisers may move a few antialiased edge pixels.
		diff=$(compare -metric AE -fuzz 2% "$ref" "$png" null: 2>&1 >/dev/null) || true
		total=$(identify -format '%[fx:w*h]' "$ref")
		if ! awk -v d="$diff" -v t="$total" 'BEGIN { exit !(d+0 == d && d <= t / 1000) }'; then
			fail "$a: $(basename "$ref") differs from amd64 in $diff of $total pixels (allowed: 0.1%)"
		fi
		n=$((n + 1))
	done
	[ "$(ls "$work/render-$a" | wc -l)" = "$(ls "$work/render-amd64" | wc -l)" ] || fail "$a: render made a different set of files than amd64"
	log "$a: $n screens match the amd64 render"
done
log "board binaries pass under qemu"
