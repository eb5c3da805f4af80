#!/usr/bin/env bash
# bench-kiosk.sh — the kiosk against what people deploy instead: a static page
# in Chromium's kiosk mode. Under one Xvfb screen it alternately starts
# wufang-kiosk on its attract screen and Chromium --kiosk showing
# build/bench/attract.html (the same slide: texts, layout, Noto CJK font),
# one warm-up run each, then ROUNDS measured runs each, and prints per run,
# the medians and the ratios kiosk/chromium of:
#
#   frame  time from process start to the final first frame: the first
#          moment after which the screen stays unchanged for 300 ms (the root
#          window hashed with xwd every ~25 ms; polling stops once stable, so
#          it does not disturb the idle measurement)
#   pss    total PSS at 20 s of every process of the run's session (setsid),
#          Chromium's zygote, renderers, GPU and crashpad helpers included
#          (/proc/PID/smaps_rollup)
#   cpu    CPU time of the session from 10 s to 40 s, as % of one core
#          (/proc/PID/stat utime+stime+cutime+cstime)
#
# Targets (kiosk/chromium): frame <= 0.5, pss <= 0.35, cpu <= 1.0.
#
# Usage:
#   build/bench-kiosk.sh [options] [-- KIOSK ARGS...]
#     --kiosk BIN     the kiosk binary (default: go build ./kiosk/cmd/wufang-kiosk)
#     --fyne-baseline use build/bench/fynewindow (the kiosk slide in the kiosk
#                     theme, nothing else) instead of the kiosk
#     --bare          with --fyne-baseline: one label in Fyne's default theme
#     --kiosk-env K=V set K=V for the kiosk only (repeatable), e.g.
#                     --kiosk-env XDG_CACHE_HOME=no-system-fonts --kiosk-env GOGC=50
#     --rounds N      measured rounds (default 5)
#     --size WxH      screen size (default 800x480)
#     --quick         2 rounds, idle window 10-20 s (to check the script)
#   KIOSK ARGS replace the default `--config <temp config>`; the temp config
#   sets a temp data_dir, simulated sensors, uplink and HTTP off. With
#   --fyne-baseline they go to fynewindow (e.g. -- -idle-pump 1s).
#   GOFLAGS_BENCH is passed to go build (e.g. GOFLAGS_BENCH="-tags no_emoji").
#   See build/bench/NOTES.md for what the levers do.
#
# Runs as root or with sudo available for the first apt-get. Takes about
# (1 + ROUNDS) x 2 x 45 s. Nothing else heavy should run meanwhile: the
# figures are only comparable within one run.
source "$(dirname "$0")/lib.sh"

rounds=5 size=800x480 kiosk_bin="" baseline="" bare="" idle_end=40
kiosk_args=() kiosk_env=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kiosk) kiosk_bin=$(realpath "$2") || exit 2; shift 2 ;;
	--fyne-baseline) baseline=1; shift ;;
	--bare) bare=1; shift ;;
	--kiosk-env) kiosk_env+=("$2"); shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--quick) rounds=2 idle_end=20; shift ;;
	--) shift; kiosk_args=("$@"); break ;;
	-h | --help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-kiosk.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

need_packages xvfb x11-apps procps chromium fonts-noto-cjk
need_go
chromium_bin=$(command -v chromium || command -v chromium-browser) || {
	echo "bench-kiosk.sh: chromium not found after installing it" >&2
	exit 1
}

work=$(mktemp -d)
xvfb_pid=""
run_pid=""
cleanup() {
	[ -n "$run_pid" ] && stop_session "$run_pid"
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$WUFANG_ROOT"
if [ -n "$baseline" ]; then
	log "building build/bench/fynewindow (baseline)"
	go build ${GOFLAGS_BENCH:+$GOFLAGS_BENCH} -o "$work/fynewindow" ./build/bench/fynewindow
	kiosk_cmd=("$work/fynewindow")
	[ -n "$bare" ] && kiosk_cmd+=(-bare)
	kiosk_cmd+=("${kiosk_args[@]}")
	kiosk_name="fyne-window"
	[ -n "$bare" ] && kiosk_name="fyne-bare"
else
	if [ -z "$kiosk_bin" ]; then
		log "building wufang-kiosk"
		go build ${GOFLAGS_BENCH:+$GOFLAGS_BENCH} -o "$work/wufang-kiosk" ./kiosk/cmd/wufang-kiosk
		kiosk_bin="$work/wufang-kiosk"
	fi
	if [ ${#kiosk_args[@]} -eq 0 ]; then
		mkdir -p "$work/data"
		cat >"$work/wufang.yaml" <<-YAML
			site: bench
			device: kiosk-bench
			data_dir: $work/data
			http: {listen: ""}
			sensors: {simulate: true}
		YAML
		kiosk_args=(--config "$work/wufang.yaml")
	fi
	kiosk_cmd=("$kiosk_bin" "${kiosk_args[@]}")
	kiosk_name="wufang-kiosk"
fi
chromium_cmd=("$chromium_bin" --kiosk --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--disable-features=Translate --lang=zh-CN
	--window-position=0,0 --window-size="${size/x/,}" --user-data-dir="$work/chromium-profile"
	"file://$WUFANG_ROOT/build/bench/attract.html")

# A free display number.
disp=""
for n in $(seq 90 130); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then disp=":$n"; break; fi
done
[ -n "$disp" ] || { echo "bench-kiosk.sh: no free X display in :90-:130" >&2; exit 1; }
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp +extension GLX >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=$disp
for _ in $(seq 100); do xwd -root -silent >/dev/null 2>&1 && break; sleep 0.05; done
xwd -root -silent >/dev/null 2>&1 || { echo "bench-kiosk.sh: Xvfb did not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
empty_hash=$(xwd -root -silent | md5sum | cut -c1-32)
clk_tck=$(getconf CLK_TCK)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# session_pids lists the processes of a run: its session SID (setsid), plus
# helpers that left the session (Chromium's chrome_crashpad_handler forks
# twice and calls setsid): processes adopted by init that did not exist
# before the run and run a program from the same folder as the leader.
before_pids=""
session_pids() {
	local dir
	dir=$(dirname "$(readlink "/proc/$1/exe" 2>/dev/null || echo /nonexistent/x)")
	ps -e -o pid=,sid=,ppid= | while read -r p s pp; do
		if [ "$s" = "$1" ]; then
			echo "$p"
		elif [ "$pp" = 1 ] && [[ " $before_pids " != *" $p "* ]] &&
			[ "$(dirname "$(readlink "/proc/$p/exe" 2>/dev/null || echo /none/x)")" = "$dir" ]; then
			echo "$p"
		fi
	done
}

# pss_kb sums Pss over the session.
pss_kb() {
	local total=0 p v
	for p in $(session_pids "$1"); do
		v=$(awk '/^Pss:/ { print $2; exit }' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
		total=$((total + ${v:-0}))
	done
	echo "$total"
}

# cpu_ticks sums utime+stime+cutime+cstime over the session (fields 14-17 of
# /proc/PID/stat, counted after the ")" that ends the command name).
cpu_ticks() {
	local total=0 p v
	for p in $(session_pids "$1"); do
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }') || continue
		total=$((total + ${v:-0}))
	done
	echo "$total"
}

stop_session() {
	local sid=$1 p
	for p in $(session_pids "$sid"); do kill -TERM "$p" 2>/dev/null || true; done
	for _ in $(seq 50); do
		[ -z "$(session_pids "$sid")" ] && break
		sleep 0.1
	done
	for p in $(session_pids "$sid"); do kill -KILL "$p" 2>/dev/null || true; done
	wait "$sid" 2>/dev/null || true
	run_pid=""
}

# sleep_until T0 MS sleeps until T0+MS milliseconds.
sleep_until() {
	local left=$(($1 + $2 - $(now_ms)))
	[ "$left" -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
	return 0
}

# died NAME WHAT reports a run that ended by itself, keeping its whole log
# (a Go panic starts with its reason, far above a goroutine dump's tail).
died() {
	local keep="$WUFANG_ROOT/build/out/bench-$1.log"
	mkdir -p "$(dirname "$keep")"
	cp "$work/$1.log" "$keep"
	echo "bench-kiosk.sh: $1 $2; the start of its log (all of it: $keep):" >&2
	head -20 "$work/$1.log" >&2
	exit 1
}

# run NAME CMD... measures one run into R_FRAME (ms), R_PSS (kB), R_CPU (%).
run() {
	local name=$1; shift
	# Wait for the previous run's window to be gone.
	for _ in $(seq 100); do
		[ "$(xwd -root -silent | md5sum | cut -c1-32)" = "$empty_hash" ] && break
		sleep 0.05
	done
	local t0 h last="" changed=0 frame=-1 deadline
	t0=$(now_ms)
	# A background job of a script is no process group leader, so setsid
	# execs in place: the job's pid is the new session's id.
	# Run in the work folder: programs that resolve caches against the
	# current folder (Mesa with a relative XDG_CACHE_HOME) write there.
	(cd "$work" && exec setsid "$@" >"$work/$name.log" 2>&1) &
	run_pid=$!
	if [ "$(ps -o sid= -p "$run_pid" | tr -d ' ')" != "$run_pid" ]; then
		sleep 0.05
		[ "$(ps -o sid= -p "$run_pid" | tr -d ' ')" = "$run_pid" ] || { echo "bench-kiosk.sh: setsid did not make $name a session leader" >&2; exit 1; }
	fi
	deadline=$((t0 + 20000))
	last=$empty_hash
	changed=$t0
	while :; do
		local t
		t=$(now_ms)
		h=$(xwd -root -silent | md5sum | cut -c1-32)
		if [ "$h" != "$last" ]; then
			last=$h changed=$t
		elif [ "$h" != "$empty_hash" ] && [ $((t - changed)) -ge 300 ]; then
			frame=$((changed - t0))
			break
		fi
		[ "$t" -ge "$deadline" ] && break
		kill -0 "$run_pid" 2>/dev/null || died "$name" "exited early"
		sleep 0.02
	done
	if [ "$frame" -lt 0 ]; then
		echo "bench-kiosk.sh: $name: no stable frame within 20 s" >&2
	fi
	[ -n "${SHOT_DIR:-}" ] && xwd -root -silent | convert xwd:- "$SHOT_DIR/$name.png" 2>/dev/null
	sleep_until "$t0" 10000
	local c1 c2 pss
	c1=$(cpu_ticks "$run_pid")
	sleep_until "$t0" 20000
	pss=$(pss_kb "$run_pid")
	sleep_until "$t0" $((idle_end * 1000))
	c2=$(cpu_ticks "$run_pid")
	kill -0 "$run_pid" 2>/dev/null || died "$name" "died during the run"
	stop_session "$run_pid"
	R_FRAME=$frame R_PSS=$pss
	# % of one core over the idle window.
	R_CPU=$(awk -v d=$((c2 - c1)) -v hz="$clk_tck" -v s=$((idle_end - 10)) 'BEGIN { printf "%.2f", 100 * d / hz / s }')
}

if [ ${#kiosk_env[@]} -gt 0 ]; then
	# env execs the program in place: the session leader stays the kiosk.
	kiosk_cmd=(env "${kiosk_env[@]}" "${kiosk_cmd[@]}")
fi
log "display $disp ${size}; $kiosk_name: ${kiosk_cmd[*]}"
log "chromium: $("$chromium_bin" --version 2>/dev/null | head -1)"
log "warm-up (one run each, not counted)"
run warmup-kiosk "${kiosk_cmd[@]}"
run warmup-chromium "${chromium_cmd[@]}"

declare -a kf kp kc cf cp cc
printf '%-6s %-13s %9s %9s %8s\n' round program frame_ms pss_MB cpu_%
for i in $(seq 1 "$rounds"); do
	# Alternate which goes first, so drift favours neither.
	order=(kiosk chromium)
	[ $((i % 2)) -eq 0 ] && order=(chromium kiosk)
	for which in "${order[@]}"; do
		R_FRAME="" R_PSS="" R_CPU=""
		if [ "$which" = kiosk ]; then
			run "kiosk-$i" "${kiosk_cmd[@]}"
			f=$R_FRAME p=$R_PSS c=$R_CPU
			kf+=("$f") kp+=("$p") kc+=("$c")
			name=$kiosk_name
		else
			rm -rf "$work/chromium-profile"
			run "chromium-$i" "${chromium_cmd[@]}"
			f=$R_FRAME p=$R_PSS c=$R_CPU
			cf+=("$f") cp+=("$p") cc+=("$c")
			name=chromium
		fi
		printf '%-6s %-13s %9s %9.1f %8s\n' "$i" "$name" "$f" "$(awk -v k="$p" 'BEGIN { print k / 1024 }')" "$c"
	done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mkf=$(median "${kf[@]}") mkp=$(median "${kp[@]}") mkc=$(median "${kc[@]}")
mcf=$(median "${cf[@]}") mcp=$(median "${cp[@]}") mcc=$(median "${cc[@]}")
echo
echo "medians of $rounds rounds, $size, idle CPU from 10 s to ${idle_end} s"
printf '%-28s %14s %10s %8s %8s %s\n' metric "$kiosk_name" chromium ratio target ""
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "ok" : "MISSED" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
r=$(ratio "$mkf" "$mcf")
printf '%-28s %14s %10s %8s %8s %s\n' "final first frame (ms)" "$mkf" "$mcf" "$r" "0.50" "$(verdict "$r" 0.5)"
r=$(ratio "$mkp" "$mcp")
printf '%-28s %14.1f %10.1f %8s %8s %s\n' "PSS of the tree (MB)" "$(awk -v k="$mkp" 'BEGIN { print k / 1024 }')" "$(awk -v k="$mcp" 'BEGIN { print k / 1024 }')" "$r" "0.35" "$(verdict "$r" 0.35)"
r=$(ratio "$mkc" "$mcc")
printf '%-28s %14s %10s %8s %8s %s\n' "idle CPU (% of a core)" "$mkc" "$mcc" "$r" "1.00" "$(verdict "$r" 1.0)"
