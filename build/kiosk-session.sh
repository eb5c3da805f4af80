#!/bin/sh
# What runs inside the kiosk's screen session: started by cage from
# wufang-kiosk.service (the package installs it as
# /usr/libexec/wufang/kiosk-session), or by hand in an X session
# (`startx build/kiosk-session.sh`). It keeps the screen on, then runs the
# kiosk; the kiosk hides the pointer itself (kiosk.hide_cursor: true).
# Under X, xset turns blanking off; under cage (Wayland) nothing blanks the
# screen unless a client asks, and Xwayland's own screen saver is off
# (xset again, through Xwayland).
export LANG=${LANG:-C.UTF-8}
xset s off -dpms s noblank 2>/dev/null
exec /usr/bin/wufang-kiosk --config /etc/wufang/wufang.yaml
