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

// hubSysusers is the hub's /usr/lib/sysusers.d/wufang-hub.conf: the same
// wufang user, without the device groups a server has no use for (its own
// file, so the hub installs beside wufang-edge without a file conflict;
// the first file that declares the user makes it).
const hubSysusers = `# wufang: the user the district hub runs as.
u wufang - "wufang district hub" /var/lib/wufang /usr/sbin/nologin
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
	if p.config || p.sysusers != "" {
		fmt.Fprintf(&b, `if [ "$1" = configure ]; then
	systemd-sysusers %s
	# The data folder (event store, content packs) belongs to the service user.
	if [ ! -d /var/lib/wufang ]; then
		install -d -m 0750 -o wufang -g wufang /var/lib/wufang
	fi
fi
`, sysusersFile(p))
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
// packs; the hub: its database, see purgeData) and the unit state; the wufang user and the gpio group stay, as
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
	%[2]s
fi
exit 0
`, units, purgeData(p))
}

// purgeData is what purge deletes of /var/lib/wufang: all of it for the
// room's packages; for the hub only its SQLite database, so purging the hub
// on a machine that also runs wufang-edge keeps that one's store.
func purgeData(p pkg) string {
	if p.config {
		return "rm -rf /var/lib/wufang"
	}
	return "rm -f /var/lib/wufang/hub.db /var/lib/wufang/hub.db-wal /var/lib/wufang/hub.db-shm\n\trmdir --ignore-fail-on-non-empty /var/lib/wufang 2>/dev/null || true"
}

func unitList(p pkg) string {
	q := make([]string, len(p.units))
	for i, u := range p.units {
		q[i] = "'" + u + "'"
	}
	return strings.Join(q, " ")
}

// sysusersFile is the name of p's sysusers.d file.
func sysusersFile(p pkg) string {
	if p.config {
		return "wufang.conf"
	}
	return p.name + ".conf"
}
