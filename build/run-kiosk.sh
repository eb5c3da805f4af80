#!/usr/bin/env bash
# Quick start: build and run the kiosk in a window with the built-in pack and
# simulated sensors. Installs what it needs on Debian 12 / Raspberry Pi OS.
# Keys in the window: see `wufang-kiosk --help` (development mode).
# Extra arguments go to wufang-kiosk, e.g. --config wufang.yaml.
# Without --config it keeps its data (event store, packs) in bin/demo/ of
# this clone, never in a board's /etc/wufang or /var/lib/wufang, even as root.
source "$(dirname "$0")/lib.sh"
need_packages "${FYNE_PACKAGES[@]}"
need_go
cd "$WUFANG_ROOT"
mkdir -p bin
log "building wufang-kiosk (the first build compiles Fyne's C code: a few minutes)"
# no_emoji: the kiosk never shows emoji; leaving out Fyne's 4 MB emoji font saves ~12 MB of memory
go build -tags no_emoji -ldflags "$(wufang_ldflags)" -o bin/wufang-kiosk ./kiosk/cmd/wufang-kiosk
config=(--config bin/demo/wufang.yaml)
for a in "$@"; do
	case "$a" in --config | --config=* | -config | -config=*) config=() ;; esac
done
if [ ${#config[@]} -gt 0 ]; then
	mkdir -p bin/demo
	q="'"
	printf '# written by build/run-kiosk.sh: the quick start keeps its data in this clone\ndata_dir: %s\n' \
		"$q${WUFANG_ROOT//$q/$q$q}/bin/demo/data$q" >bin/demo/wufang.yaml
fi
export LANG=${LANG:-C.UTF-8}
case "$LANG" in *UTF-8* | *utf8*) ;; *) export LANG=C.UTF-8 ;; esac
# Exit status 75 asks for a restart (admin mode's "restart the app", or a
# new pack that needs the system fonts), as systemd does on the device.
while :; do
	rc=0
	./bin/wufang-kiosk --windowed --sim "${config[@]}" "$@" || rc=$?
	[ "$rc" -eq 75 ] || exit "$rc"
	log "wufang-kiosk asked to be restarted"
done
