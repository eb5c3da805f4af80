#!/bin/sh
# A minimal X session for a dedicated kiosk board (no desktop): start it from
# the kiosk user's ~/.xsession or with `startx /usr/local/share/wufang/kiosk-session.sh`.
# It blanks nothing, hides nothing by itself (the kiosk hides the pointer when
# kiosk.hide_cursor is true) and restarts the kiosk whenever it exits, except
# when staff chose "exit to the desktop" in admin mode (exit status 0).
xset s off -dpms s noblank 2>/dev/null
export LANG=${LANG:-C.UTF-8}
while :; do
	/usr/local/bin/wufang-kiosk --config /etc/wufang/wufang.yaml
	[ $? -eq 0 ] && break
	sleep 1
done
