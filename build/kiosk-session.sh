#!/bin/sh
# What runs inside the kiosk's screen session: started by cage from
# wufang-kiosk.service (`wufang-kiosk session start` runs cage; the package
# installs this as /usr/libexec/wufang/kiosk-session), or by hand in an X
# session (`startx build/kiosk-session.sh`). It turns the screen where cage
# could not (kiosk.rotate; see `wufang-kiosk session rotate`), keeps the
# screen on, then runs the kiosk; the kiosk hides the pointer itself
# (kiosk.hide_cursor: true). Under X, xset turns blanking off; under cage
# (Wayland) nothing blanks the screen unless a client asks, and Xwayland's
# own screen saver is off (xset again, through Xwayland).
# WUFANG_KIOSK and WUFANG_CONFIG name another binary and config (a checkout,
# the tests).
export LANG=${LANG:-C.UTF-8}
kiosk=${WUFANG_KIOSK:-/usr/bin/wufang-kiosk}
config=${WUFANG_CONFIG:-/etc/wufang/wufang.yaml}
# A screen left unturned is better than no kiosk: say so in the log, go on.
"$kiosk" session rotate --config "$config" ||
	echo "kiosk-session: the screen was not turned (kiosk.rotate); the kiosk starts unturned" >&2
xset s off -dpms s noblank 2>/dev/null
exec "$kiosk" --config "$config"
