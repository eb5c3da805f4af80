package main

import (
	"fmt"
	"strings"
)

// sysusers is /usr/lib/sysusers.d/wufang.conf: the service user, in the
// groups that give it the GPIO chips (gpio: Raspberry Pi OS has it, Debian
// does not, so it is made when missing), the display (video, render) and
// the touch screen (input).
const sysusers = `# wufang: the user the kiosk and the edge hub run as (see DEPLOY.md).
u wufang - "wufang kiosk and edge hub" /var/lib/wufang /usr/sbin/nologin
g gpio -
m wufang gpio
m wufang video
m wufang render
m wufang input
`

// journald is /usr/lib/systemd/journald.conf.d/wufang.conf: the journal
// capped, so years of kiosk logs cannot fill the SD card (an admin's
// /etc/systemd/journald.conf.d/ file overrides it).
const journald = `# wufang: cap the journal on the SD card (see DEPLOY.md, SD-card care).
[Journal]
SystemMaxUse=64M
RuntimeMaxUse=32M
`

// The maintainer scripts follow what dh_installsystemd writes, through
// deb-systemd-helper: units are enabled on first install (and stay as the
// admin left them on upgrades), restarted on upgrade only if they run, and
// not started on first install, because the config must be edited first
// (DEPLOY.md: edit, config check, reboot).
func postinst(p pkg) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\nset -e\n")
	if p.config {
		b.WriteString(`if [ "$1" = configure ]; then
	systemd-sysusers wufang.conf
	# The data folder (event store, content packs) belongs to the service user.
	if [ ! -d /var/lib/wufang ]; then
		install -d -m 0750 -o wufang -g wufang /var/lib/wufang
	fi
fi
`)
	}
	if len(p.units) > 0 {
		units := unitList(p)
		fmt.Fprintf(&b, `if [ "$1" = configure ] || [ "$1" = abort-upgrade ] || [ "$1" = abort-deconfigure ] || [ "$1" = abort-remove ]; then
	for unit in %[1]s; do
		# Removes only the masks deb-systemd-helper made on removal.
		deb-systemd-helper unmask "$unit" >/dev/null || true
		# was-enabled is true on a first install: enable; on upgrades keep
		# the admin's choice.
		if deb-systemd-helper --quiet was-enabled "$unit"; then
			deb-systemd-helper enable "$unit" >/dev/null || true
		else
			deb-systemd-helper update-state "$unit" >/dev/null || true
		fi
	done
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			deb-systemd-invoke try-restart %[1]s >/dev/null || true
		fi
	fi
fi
`, units)
	}
	b.WriteString("exit 0\n")
	return b.String()
}

func prerm(p pkg) string {
	return fmt.Sprintf(`#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	deb-systemd-invoke stop %s >/dev/null || true
fi
exit 0
`, unitList(p))
}

// postrm: purge removes the data folder (the event store and the installed
// packs) and the unit state; the wufang user and the gpio group stay, as
// Debian policy asks of system users (files elsewhere may still be theirs).
func postrm(p pkg) string {
	units := unitList(p)
	return fmt.Sprintf(`#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask %[1]s >/dev/null || true
fi
if [ "$1" = purge ]; then
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper purge %[1]s >/dev/null || true
		deb-systemd-helper unmask %[1]s >/dev/null || true
	fi
	rm -rf /var/lib/wufang
fi
exit 0
`, units)
}

func unitList(p pkg) string {
	q := make([]string, len(p.units))
	for i, u := range p.units {
		q[i] = "'" + u + "'"
	}
	return strings.Join(q, " ")
}
