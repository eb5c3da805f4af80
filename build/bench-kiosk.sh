#!/usr/bin/env bash
# bench-kiosk.sh — the kiosk against what people deploy instead: a static page
# in Chromium's kiosk mode. Under one Xvfb screen it alternately starts
# wufang-kiosk on its attract screen and Chromium --kiosk showing
# build/bench/attract.html (the same slide: texts, layout, Noto CJK font),
# one warm-up run each, then ROUNDS measured runs each, and prints per run,
# the medians and the ratios kiosk/chromium of:
#
#   frame  time from process start to the final first frame: the first
#          moment after which the screen stays unchanged for 300 ms (X damage
#          events, each followed by a read of the screen, by
#          build/bench/xwatch: nothing polls, so the watching costs the
#          program under test nothing)
#   pss    total PSS at 20 s of every process of the run's session (setsid),
#          Chromium's zygote, renderers, GPU and crashpad helpers included
#          (/proc/PID/smaps_rollup)
#   cpu    CPU time of the session from 10 s to 40 s, as % of one core
#          (/proc/PID/stat utime+stime+cutime+cstime)
#
# Then, unless --no-taps, tap to pixels: ROUNDS more runs each, with
# Chromium showing build/bench/tap.html (the kiosk's home screen and a
# lesson step, the same things at the same places), and xwatch tapping a
# module tile, then the top bar's home button, for each of the five modules
# (10 taps a run; the kiosk is woken from its attract screen first, a tap
# not counted). Each tap is a press, 80 ms of touch, a release (XTEST), and
# gives
#
#   pressed  press to the first frame that changed pixels under the finger
#            (the pressed state; the next screen if that came first)
#   screen   release (when a toolkit delivers the tap) to the first frame
#            with at least half of the tap's change of the screen
#
# as p50/p95 over all taps, against the targets p95 < 50 ms and < 150 ms,
# and as ratios to Chromium's.
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
#     --no-taps       skip tap to pixels
#     --taps-only     only tap to pixels
#   KIOSK ARGS replace the default `--config <temp config>`; the temp config
#   sets a temp data_dir, simulated sensors, uplink and HTTP off. With
#   --fyne-baseline they go to fynewindow (e.g. -- -idle-pump 1s).
#   The kiosk is built as build/cross.sh builds it for the package
#   (-trimpath -buildmode=pie -tags no_emoji, version stamped);
#   GOFLAGS_BENCH is added to that go build and to fynewindow's (e.g.
#   GOFLAGS_BENCH="-tags no_emoji" for fynewindow; a -tags replaces no_emoji).
#   See build/bench/NOTES.md for what the levers do.
#
# Runs as root or with sudo available for the first apt-get. Takes about
# (1 + ROUNDS) x 2 x 45 s, plus ROUNDS x 2 x 15 s for the taps. Nothing else heavy should run meanwhile: the
# figures are only comparable within one run.
source "$(dirname "$0")/lib.sh"

rounds=5 size=800x480 kiosk_bin="" baseline="" bare="" idle_end=40 taps=1 startup=1
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
	--no-taps) taps=""; shift ;;
	--taps-only) startup=""; shift ;;
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
go build -o "$work/xwatch" ./build/bench/xwatch
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
		# As build/cross.sh builds it for the package.
		go build -trimpath -buildmode=pie -tags no_emoji -ldflags "$(wufang_ldflags)" \
			${GOFLAGS_BENCH:+$GOFLAGS_BENCH} -o "$work/wufang-kiosk" ./kiosk/cmd/wufang-kiosk
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
# In a session of its own: with the kernel's autogroups (on by default)
# the X server then gets its own share of the CPU, as a real one would,
# instead of sharing this script's. -noreset: an X server resets when its
# last client leaves (between two xwd calls, between two runs), and a
# client connecting meanwhile is refused.
setsid Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp -noreset +extension GLX >"$work/xvfb.log" 2>&1 &
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

# alone_kb estimates the session's memory as if nothing else ran on the
# machine: PSS divides a shared file's pages among every process mapping
# it, so another Chromium elsewhere (another engineer's browser tests)
# lowers this Chromium's PSS. Here anonymous memory counts by its PSS, and
# each mapped file once, by the largest resident size any process of the
# session has of it.
alone_kb() {
	local p
	for p in $(session_pids "$1"); do
		awk '/^[0-9a-f]+-[0-9a-f]+ / { file = ($5 != 0) ? $6 : ""; next }
			/^Rss:/ { rss = $2; next }
			/^Pss:/ { if (file == "") a += $2; else f[file] += rss }
			END { print "anon", a + 0; for (k in f) print k, f[k] }' "/proc/$p/smaps" 2>/dev/null || true
	done | awk '$1 == "anon" { a += $2; next } { if ($2 > f[$1]) f[$1] = $2 }
		END { for (k in f) a += f[k]; print a + 0 }'
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

# start_watched NAME CMD... starts a run in its own session with xwatch
# watching the screen, and waits for the final first frame: R_T0 (Unix ms
# of the start) and R_FRAME (ms from the start, -1 if none within 20 s).
start_watched() {
	local name=$1; shift
	# Wait for the previous run's window to be gone.
	for _ in $(seq 100); do
		[ "$(xwd -root -silent | md5sum | cut -c1-32)" = "$empty_hash" ] && break
		sleep 0.05
	done
	rm -f "$work/ready"
	"$work/xwatch" frame -ready "$work/ready" -quiet 300ms -timeout 20s >"$work/frame.out" &
	local xw=$! at
	for _ in $(seq 200); do [ -e "$work/ready" ] && break; sleep 0.01; done
	[ -e "$work/ready" ] || { echo "bench-kiosk.sh: xwatch did not start" >&2; exit 1; }
	R_T0=$(now_ms)
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
	while kill -0 "$xw" 2>/dev/null; do
		kill -0 "$run_pid" 2>/dev/null || died "$name" "exited early"
		sleep 0.05
	done
	wait "$xw" || { echo "bench-kiosk.sh: xwatch failed" >&2; exit 1; }
	at=$(cat "$work/frame.out")
	# CPU time of the session's threads so far, and how long they waited
	# for a CPU (schedstat: on-CPU ns, run-queue ns): on a shared machine
	# a slow start with a long wait is the load, not the program.
	read -r R_CPUMS R_WAITMS < <(for p in $(session_pids "$run_pid"); do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done |
		awk '{ c += $1; w += $2 } END { printf "%d %d\n", c / 1e6, w / 1e6 }')
	if [ "$at" -lt 0 ]; then
		echo "bench-kiosk.sh: $name: no stable frame within 20 s" >&2
		R_FRAME=-1
	else
		R_FRAME=$((at - R_T0))
	fi
}

# run NAME CMD... measures one run into R_FRAME (ms), R_PSS (kB), R_CPU (%).
run() {
	local name=$1; shift
	start_watched "$name" "$@"
	local t0=$R_T0 frame=$R_FRAME cpums=$R_CPUMS waitms=$R_WAITMS
	[ -n "${SHOT_DIR:-}" ] && xwd -root -silent | convert xwd:- "$SHOT_DIR/$name.png" 2>/dev/null
	sleep_until "$t0" 10000
	local c1 c2 pss
	c1=$(cpu_ticks "$run_pid")
	sleep_until "$t0" 20000
	pss=$(pss_kb "$run_pid")
	R_ALONE=$(alone_kb "$run_pid")
	sleep_until "$t0" $((idle_end * 1000))
	c2=$(cpu_ticks "$run_pid")
	kill -0 "$run_pid" 2>/dev/null || died "$name" "died during the run"
	stop_session "$run_pid"
	R_FRAME=$frame R_PSS=$pss R_CPUMS=$cpums R_WAITMS=$waitms
	# % of one core over the idle window.
	R_CPU=$(awk -v d=$((c2 - c1)) -v hz="$clk_tck" -v s=$((idle_end - 10)) 'BEGIN { printf "%.2f", 100 * d / hz / s }')
}

if [ ${#kiosk_env[@]} -gt 0 ]; then
	# env execs the program in place: the session leader stays the kiosk.
	kiosk_cmd=(env "${kiosk_env[@]}" "${kiosk_cmd[@]}")
fi
log "display $disp ${size}; $kiosk_name: ${kiosk_cmd[*]}"
log "chromium: $("$chromium_bin" --version 2>/dev/null | head -1)"
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# pct P VALUES... is the P-th percentile (nearest rank).
pct() { local p=$1; shift; printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ a[NR] = $1 } END { r = int((p * NR + 99) / 100); if (r < 1) r = 1; print a[r] }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "ok" : "MISSED" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

if [ -n "$startup" ]; then
log "warm-up (one run each, not counted)"
run warmup-kiosk "${kiosk_cmd[@]}"
run warmup-chromium "${chromium_cmd[@]}"

declare -a kf kp kc ks kal cf cp cc cs cal
# start_cpu/start_wait: CPU time of the run until its final first frame,
# and the time its threads waited for a CPU meanwhile (summed over
# threads); cpu_wait: the share of the last 10 s in which some task of the
# machine waited for a CPU (/proc/pressure/cpu), at the run's start.
printf '%-6s %-13s %9s %9s %9s %8s %9s %10s %8s %8s\n' round program frame_ms pss_MB alone_MB cpu_% start_cpu start_wait cpu_wait load1
for i in $(seq 1 "$rounds"); do
	# Alternate which goes first, so drift favours neither.
	order=(kiosk chromium)
	[ $((i % 2)) -eq 0 ] && order=(chromium kiosk)
	for which in "${order[@]}"; do
		R_FRAME="" R_PSS="" R_CPU=""
		# The machine's load when the run starts: a slow round under load
		# is the machine, not the program (say so, do not hide it).
		load=$(cut -d' ' -f1 /proc/loadavg)
		pressure=$(awk '/^some/ { sub("avg10=", "", $2); print $2 "%" }' /proc/pressure/cpu 2>/dev/null || echo -)
		if [ "$which" = kiosk ]; then
			run "kiosk-$i" "${kiosk_cmd[@]}"
			f=$R_FRAME p=$R_PSS c=$R_CPU
			kf+=("$f") kp+=("$p") kc+=("$c") ks+=("$R_CPUMS") kal+=("$R_ALONE")
			name=$kiosk_name
		else
			rm -rf "$work/chromium-profile"
			run "chromium-$i" "${chromium_cmd[@]}"
			f=$R_FRAME p=$R_PSS c=$R_CPU
			cf+=("$f") cp+=("$p") cc+=("$c") cs+=("$R_CPUMS") cal+=("$R_ALONE")
			name=chromium
		fi
		printf '%-6s %-13s %9s %9.1f %9.1f %8s %9s %10s %8s %8s\n' "$i" "$name" "$f" "$(awk -v k="$p" 'BEGIN { print k / 1024 }')" "$(awk -v k="$R_ALONE" 'BEGIN { print k / 1024 }')" "$c" "$R_CPUMS" "$R_WAITMS" "$pressure" "$load"
	done
done

mkf=$(median "${kf[@]}") mkp=$(median "${kp[@]}") mkc=$(median "${kc[@]}")
mcf=$(median "${cf[@]}") mcp=$(median "${cp[@]}") mcc=$(median "${cc[@]}")
wkf=$(pct 100 "${kf[@]}")
echo
echo "medians of $rounds rounds, $size, idle CPU from 10 s to ${idle_end} s"
printf '%-28s %14s %10s %8s %8s %s\n' metric "$kiosk_name" chromium ratio target ""
r=$(ratio "$mkf" "$mcf")
printf '%-28s %14s %10s %8s %8s %s\n' "final first frame (ms)" "$mkf" "$mcf" "$r" "0.50" "$(verdict "$r" 0.5)"
r=$(ratio "$wkf" "$mcf")
printf '%-28s %14s %10s %8s %8s %s\n' "  worst round / median" "$wkf" "$mcf" "$r" "0.50" "$(verdict "$r" 0.5)"
mks=$(median "${ks[@]}") mcs=$(median "${cs[@]}")
printf '%-28s %14s %10s %8s\n' "  CPU until then (ms)" "$mks" "$mcs" "$(ratio "$mks" "$mcs")"
r=$(ratio "$mkp" "$mcp")
printf '%-28s %14.1f %10.1f %8s %8s %s\n' "PSS of the tree (MB)" "$(awk -v k="$mkp" 'BEGIN { print k / 1024 }')" "$(awk -v k="$mcp" 'BEGIN { print k / 1024 }')" "$r" "0.32" "$(verdict "$r" 0.32)"
mka=$(median "${kal[@]}") mca=$(median "${cal[@]}")
printf '%-28s %14.1f %10.1f %8s\n' "  alone (MB)" "$(awk -v k="$mka" 'BEGIN { print k / 1024 }')" "$(awk -v k="$mca" 'BEGIN { print k / 1024 }')" "$(ratio "$mka" "$mca")"
r=$(ratio "$mkc" "$mcc")
printf '%-28s %14s %10s %8s %8s %s\n' "idle CPU (% of a core)" "$mkc" "$mcc" "$r" "0.60" "$(verdict "$r" 0.6)"
fi

[ -n "$taps" ] && [ -n "$baseline" ] && { log "tap to pixels: not with --fyne-baseline (no screens to tap)"; taps=""; }
[ -n "$taps" ] && [ "$size" != 800x480 ] && { log "tap to pixels: the taps are placed for 800x480 only; skipped at $size"; taps=""; }
[ -n "$taps" ] || exit 0

# The kiosk's home screen and first lesson step, and build/bench/tap.html,
# at 800x480: module tile N at (88 + 155 N, 280), the top bar's home button
# at (720, 35).
tap_points=()
for m in 0 1 2 3 4; do tap_points+=("$((88 + 155 * m)),280" 720,35); done
tap_chromium_cmd=("${chromium_cmd[@]}")
tap_chromium_cmd[-1]="file://$WUFANG_ROOT/build/bench/tap.html"

# taps NAME WAKE CMD... starts a run, taps WAKE first if not empty (not
# counted), then tap_points, and appends the results to R_PRESSED and
# R_SCREEN.
taps() {
	local name=$1 wake=$2; shift 2
	start_watched "$name" "$@"
	if [ -n "$wake" ]; then
		"$work/xwatch" tap "$wake" >/dev/null || died "$name" "could not be woken"
	fi
	"$work/xwatch" tap "${tap_points[@]}" >"$work/$name.taps" || died "$name" "did not take the taps"
	kill -0 "$run_pid" 2>/dev/null || died "$name" "died during the taps"
	stop_session "$run_pid"
	mkdir -p "$WUFANG_ROOT/build/out/bench-taps"
	cp "$work/$name.taps" "$WUFANG_ROOT/build/out/bench-taps/"
	local _ _ _ p _ s _ c
	while read -r _ _ _ p _ s _ c; do
		[ "$p" != - ] && R_PRESSED+=("$p")
		[ "$s" != - ] && R_SCREEN+=("$s")
		[ "$s" = - ] && R_MISSED=$((R_MISSED + 1))
	done <"$work/$name.taps"
	printf '%-6s %-13s %s\n' "$i" "$name" "$(awk '{ printf "%s%s/%s", (NR > 1 ? " " : ""), $4, $6 }' "$work/$name.taps")"
}

echo
log "tap to pixels: ${#tap_points[@]} taps a run, $rounds runs each (pressed/screen ms of each tap)"
declare -a kpress kscreen cpress cscreen
kmissed=0 cmissed=0
for i in $(seq 1 "$rounds"); do
	order=(kiosk chromium)
	[ $((i % 2)) -eq 0 ] && order=(chromium kiosk)
	for which in "${order[@]}"; do
		R_PRESSED=() R_SCREEN=() R_MISSED=0
		if [ "$which" = kiosk ]; then
			# The kiosk starts on its attract screen: a tap wakes it.
			taps "kiosk-tap-$i" 400,240 "${kiosk_cmd[@]}"
			kpress+=("${R_PRESSED[@]}") kscreen+=("${R_SCREEN[@]}") kmissed=$((kmissed + R_MISSED))
		else
			rm -rf "$work/chromium-profile"
			taps "chromium-tap-$i" "" "${tap_chromium_cmd[@]}"
			cpress+=("${R_PRESSED[@]}") cscreen+=("${R_SCREEN[@]}") cmissed=$((cmissed + R_MISSED))
		fi
	done
done
echo
echo "tap to pixels, $size (each tap's line: build/out/bench-taps/): ${#kpress[@]} kiosk taps, ${#cpress[@]} chromium taps; no screen change seen after $kmissed kiosk and $cmissed chromium taps"
printf '%-28s %14s %10s %8s %8s %s\n' metric "$kiosk_name" chromium ratio target ""
for m in "pressed state:kpress:cpress:50" "next screen:kscreen:cscreen:150"; do
	IFS=: read -r label kv cv target <<<"$m"
	declare -n ka=$kv ca=$cv
	for q in 50 95; do
		a=$(pct "$q" "${ka[@]}") b=$(pct "$q" "${ca[@]}")
		v=ok
		[ "$q" = 95 ] && [ "$a" -ge "$target" ] && v=MISSED
		[ "$q" = 50 ] && v=""
		printf '%-28s %14s %10s %8s %8s %s\n' "$label p$q (ms)" "$a" "$b" "$(ratio "$a" "$b")" "$([ "$q" = 95 ] && echo "< $target")" "$v"
	done
	unset -n ka ca
done
