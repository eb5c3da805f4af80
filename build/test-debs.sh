#!/usr/bin/env bash
# Checks the Debian packages the way an installer uses them, on this
# (amd64, root, throw-away) machine: build/test.sh runs it in CI.
#   build/test-debs.sh APT_DIR BIN_DIR
# APT_DIR is build/package.sh's output, BIN_DIR build/cross.sh's.
#   lintian on every package: no errors, no warnings;
#   dpkg -i wufang-edge + wufang-pack (amd64): --version, config check of the
#     shipped config, systemd-analyze verify, the wufang user and its groups;
#   an edited conffile and a store with counts, then an upgrade to a newer
#     build: the edits and the counts survive;
#   purge: no file, unit link or data left (the wufang user stays, as Debian
#     policy asks);
#   dpkg -i wufang-hub (amd64): --version, config check of the shipped
#     /etc/wufang/hub.yaml, systemd-analyze verify; its database made by a
#     short run as wufang, an edited hub.yaml; the upgrade keeps both; purge;
#   apt install of wufang-kiosk (amd64) with its dependencies (cage...):
#     systemd-analyze verify of its unit, enabled for boot, then purge;
#   every installed binary's man page shows every line of its --help.
# It refuses to run where wufang packages are already installed.
source "$(dirname "$0")/lib.sh"
apt_dir=$(realpath "${1:?usage: build/test-debs.sh APT_DIR BIN_DIR}")
bin=$(realpath "${2:?usage: build/test-debs.sh APT_DIR BIN_DIR}")
need_packages "${DEB_TEST_PACKAGES[@]}"
[ "$(id -u)" = 0 ] || { echo "test-debs: needs root (it installs packages)" >&2; exit 1; }
cd "$WUFANG_ROOT"
fail() { echo "test-debs: $*" >&2; exit 1; }
for p in wufang-edge wufang-pack wufang-kiosk wufang-hub; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
		fail "$p is installed on this machine already; this test installs and purges its own"
	fi
done
work=$(mktemp -d)
# A /var/lib/wufang left by something run earlier would hide what the
# postinst makes: it is set aside (and said, with what it holds) and put back
# at the end.
if [ -e /var/lib/wufang ]; then
	echo "test-debs: /var/lib/wufang exists before any wufang package is installed; set aside until the end:" >&2
	ls -la --time-style=full-iso /var/lib/wufang | sed 's/^/    /' >&2
	mv /var/lib/wufang "$work/var-lib-wufang"
fi
cleanup() {
	[ -n "${edge_pid:-}" ] && kill "$edge_pid" 2>/dev/null
	[ -n "${hub_pid:-}" ] && kill "$hub_pid" 2>/dev/null
	dpkg --purge wufang-edge wufang-pack wufang-kiosk wufang-hub >/dev/null 2>&1 || true
	if [ -e "$work/var-lib-wufang" ]; then
		rm -rf /var/lib/wufang
		mv "$work/var-lib-wufang" /var/lib/wufang
	fi
	rm -rf "$work"
}
trap cleanup EXIT
want=$(wufang_version)
ver=$(deb_version "$want")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# man_shows_help BIN: the installed man page shows every line of BIN --help
# but the first (the NAME line has its summary).
man_shows_help() {
	local page=/usr/share/man/man1/$1.1.gz shown line
	[ -f "$page" ] || fail "$1 has no man page ($page)"
	shown=$(LC_ALL=C.UTF-8 MANWIDTH=200 MANPAGER=cat man -E UTF-8 -l "$page" 2>&1) || fail "man -l $page: $shown"
	while IFS= read -r line; do
		[ -z "${line// /}" ] || grep -qF -- "$line" <<<"$shown" || fail "the man page of $1 lacks this line of its --help: $line"
	done < <("$1" --help | tail -n +2)
}

# No errors and no warnings. What lintian -I --pedantic still says, and why
# it stays:
#   I hardening-no-bindnow, hardening-no-fortify-functions [usr/bin/wufang-kiosk]:
#     the only C in it is GLFW and Fyne's glue, built by cmd/go's cgo with its
#     own flags; the Go code has no C buffers to fortify.
#   I binary-has-unneeded-section .comment [usr/bin/wufang-kiosk]: the C
#     compiler's version string; harmless, a few hundred bytes.
#   I package-supports-alternative-init-but-no-init.d-script: systemd units
#     only; Raspberry Pi OS and Debian boot with systemd, and the units rely on
#     it (sysusers, logind session, watchdog).
#   I spelling-error-in-binary, P spelling-error-in-copyright: words in the
#     Go dependencies' strings and in their licence texts, quoted as they are.
#   X (experimental) systemd-service-file-missing-hardening-features
#     [wufang-kiosk.service]: cage needs the seat, the DRM and input devices
#     and a logind session; the edge and hub units are sandboxed.
log "lintian (every package): no errors, no warnings"
lintian --tag-display-limit 0 "$apt_dir"/*.deb >"$work/lintian.txt" 2>&1 || true
sed 's/^/    /' "$work/lintian.txt" >&2
! grep -q '^[EW]: ' "$work/lintian.txt" || fail "lintian found errors or warnings"

log "dpkg -i wufang-edge wufang-pack ($ver, amd64)"
dpkg -i "$apt_dir/wufang-edge_${ver}_amd64.deb" "$apt_dir/wufang-pack_${ver}_amd64.deb" >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
[ "$(wufang-edge --version)" = "wufang-edge $want" ] || fail "wufang-edge --version: $(wufang-edge --version)"
wufang-pack --version | grep -qF "wufang-pack $want " || fail "wufang-pack --version: $(wufang-pack --version)"
wufang-edge --config /etc/wufang/wufang.yaml config check >/dev/null || fail "config check of the shipped /etc/wufang/wufang.yaml"
systemd-analyze verify /lib/systemd/system/wufang-edge.service || fail "systemd-analyze verify wufang-edge.service"
[ -L /etc/systemd/system/multi-user.target.wants/wufang-edge.service ] || fail "wufang-edge.service is not enabled for boot"
for g in gpio video input render; do
	id -nG wufang | tr ' ' '\n' | grep -qx "$g" || fail "the wufang user is not in group $g ($(id wufang))"
done
[ "$(stat -c %U:%G /var/lib/wufang)" = wufang:wufang ] || fail "/var/lib/wufang is $(stat -c %U:%G /var/lib/wufang)"
dpkg-query -W -f='${Conffiles}\n' wufang-edge | grep -q ' /etc/wufang/wufang.yaml ' || fail "/etc/wufang/wufang.yaml is not a conffile"
grep -q '^SystemMaxUse=' /usr/lib/systemd/journald.conf.d/wufang.conf || fail "the journal cap (/usr/lib/systemd/journald.conf.d/wufang.conf) is not installed"
man_shows_help wufang-edge
man_shows_help wufang-pack

log "edit the conffile, count two visitors into the store"
sed -i -e 's/^site: .*/site: upgrade-test-site/' -e 's/^  simulate: false/  simulate: true/' \
	-e "s|^  listen: .*|  listen: 127.0.0.1:$(free_port)|" /etc/wufang/wufang.yaml
printf '+500ms enter\n+500ms enter\n' >"$work/visit.script"
chmod 0755 "$work" && chmod 0644 "$work/visit.script"
# setpriv execs (runuser would stay as a parent and turn SIGTERM into a failure).
setpriv --reuid wufang --regid wufang --init-groups wufang-edge --config /etc/wufang/wufang.yaml run --sim-script "$work/visit.script" >"$work/edge.log" 2>&1 &
edge_pid=$!
entries() { wufang-edge --config /etc/wufang/wufang.yaml status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["lifetime"]["entries"])'; }
for _ in $(seq 60); do
	sleep 0.5
	[ "$(entries 2>/dev/null)" = 2 ] && break
done
kill -TERM "$edge_pid" && wait "$edge_pid" || { cat "$work/edge.log" >&2; fail "wufang-edge run as wufang did not stop cleanly"; }
edge_pid=
[ "$(entries)" = 2 ] || { cat "$work/edge.log" >&2; fail "the store did not count 2 entries"; }

# A newer build: the next patch version, so it is newer than this one
# whether this one is a release or a development build.
base=${want%%[+-]*}
newer=${base%.*}.$((${base##*.} + 1))+upgrade.test
log "upgrade to $newer"
WUFANG_VERSION=$newer "$WUFANG_ROOT/build/cross.sh" --no-kiosk --out "$work/bin2" amd64 2>"$work/cross2.log" ||
	{ cat "$work/cross2.log" >&2; fail "building the newer version"; }
WUFANG_VERSION=$newer "$WUFANG_ROOT/build/package.sh" --bin "$work/bin2" --out "$work/apt2" >/dev/null 2>&1 || fail "packaging the newer version"
nver=$(deb_version "$newer")
dpkg -i "$work/apt2/wufang-edge_${nver}_amd64.deb" "$work/apt2/wufang-pack_${nver}_amd64.deb" >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log" >&2; fail "the upgrade failed"; }
[ "$(wufang-edge --version)" = "wufang-edge $newer" ] || fail "after the upgrade wufang-edge --version says $(wufang-edge --version)"
grep -qx 'site: upgrade-test-site' /etc/wufang/wufang.yaml || fail "the upgrade overwrote the edited /etc/wufang/wufang.yaml"
[ ! -e /etc/wufang/wufang.yaml.dpkg-new ] && [ ! -e /etc/wufang/wufang.yaml.dpkg-dist ] || fail "the upgrade left a .dpkg-new/.dpkg-dist beside the config"
[ "$(entries)" = 2 ] || fail "the store lost its counts in the upgrade"

log "purge"
dpkg --purge wufang-edge wufang-pack >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge failed"; }
for f in /usr/bin/wufang-edge /usr/bin/wufang-pack /lib/systemd/system/wufang-edge.service /etc/wufang /var/lib/wufang \
	/etc/systemd/system/multi-user.target.wants/wufang-edge.service /usr/share/doc/wufang-edge /usr/lib/sysusers.d/wufang.conf /usr/lib/systemd/journald.conf.d/wufang.conf; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "purge left $f"
done

log "dpkg -i wufang-hub ($ver, amd64)"
dpkg -i "$apt_dir/wufang-hub_${ver}_amd64.deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i wufang-hub failed"; }
[ "$(wufang-hub --version)" = "wufang-hub $want" ] || fail "wufang-hub --version: $(wufang-hub --version)"
wufang-hub --config /etc/wufang/hub.yaml config check >/dev/null || fail "config check of the shipped /etc/wufang/hub.yaml"
systemd-analyze verify /lib/systemd/system/wufang-hub.service || fail "systemd-analyze verify wufang-hub.service"
[ -L /etc/systemd/system/multi-user.target.wants/wufang-hub.service ] || fail "wufang-hub.service is not enabled for boot"
dpkg-query -W -f='${Conffiles}\n' wufang-hub | grep -q ' /etc/wufang/hub.yaml ' || fail "/etc/wufang/hub.yaml is not a conffile"
[ "$(stat -c %U:%G /var/lib/wufang)" = wufang:wufang ] || fail "/var/lib/wufang is $(stat -c %U:%G /var/lib/wufang)"
man_shows_help wufang-hub

log "edit hub.yaml, make the hub's database with a short run as wufang"
hub_port=$(free_port)
sed -i -e 's/^  retention: 400d/  retention: 500d/' -e "s|^  listen: 127.0.0.1:9108|  listen: 127.0.0.1:$hub_port|" \
	-e "s|^  broker: tcp://127.0.0.1:1883|  broker: tcp://127.0.0.1:$(free_port)|" /etc/wufang/hub.yaml
grep -q '^  retention: 500d' /etc/wufang/hub.yaml || fail "editing /etc/wufang/hub.yaml"
setpriv --reuid wufang --regid wufang --init-groups wufang-hub --config /etc/wufang/hub.yaml run >"$work/hub.log" 2>&1 &
hub_pid=$!
# /healthz answers (503 while the broker, not started here, is missing)
# once the database is open and migrated.
for _ in $(seq 60); do
	sleep 0.5
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hub_port/healthz")" != 000 ] && break
done
kill -TERM "$hub_pid" && wait "$hub_pid" || { cat "$work/hub.log" >&2; fail "wufang-hub run as wufang did not stop cleanly"; }
hub_pid=
[ -s /var/lib/wufang/hub.db ] || { cat "$work/hub.log" >&2; fail "wufang-hub run made no /var/lib/wufang/hub.db"; }
[ "$(stat -c %U /var/lib/wufang/hub.db)" = wufang ] || fail "hub.db belongs to $(stat -c %U /var/lib/wufang/hub.db)"
hub_sum=$(cd /var/lib/wufang && sha256sum hub.db*)

log "upgrade wufang-hub to $newer"
dpkg -i "$work/apt2/wufang-hub_${nver}_amd64.deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "the hub upgrade failed"; }
[ "$(wufang-hub --version)" = "wufang-hub $newer" ] || fail "after the upgrade wufang-hub --version says $(wufang-hub --version)"
grep -q '^  retention: 500d' /etc/wufang/hub.yaml || fail "the upgrade overwrote the edited /etc/wufang/hub.yaml"
[ ! -e /etc/wufang/hub.yaml.dpkg-new ] && [ ! -e /etc/wufang/hub.yaml.dpkg-dist ] || fail "the upgrade left a .dpkg-new/.dpkg-dist beside hub.yaml"
[ "$(cd /var/lib/wufang && sha256sum hub.db*)" = "$hub_sum" ] || fail "the upgrade changed or removed the hub's database"
wufang-hub --config /etc/wufang/hub.yaml config check >/dev/null || fail "config check of the edited hub.yaml after the upgrade"

log "purge wufang-hub"
dpkg --purge wufang-hub >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge of wufang-hub failed"; }
for f in /usr/bin/wufang-hub /lib/systemd/system/wufang-hub.service /etc/wufang/hub.yaml /var/lib/wufang/hub.db /var/lib/wufang \
	/etc/systemd/system/multi-user.target.wants/wufang-hub.service /usr/share/doc/wufang-hub /usr/lib/sysusers.d/wufang-hub.conf \
	/usr/share/man/man1/wufang-hub.1.gz; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "purge of wufang-hub left $f"
done

log "apt-get install wufang-kiosk ($ver, amd64) with its dependencies"
if [ -z "${WUFANG_APT_UPDATED:-}" ]; then
	apt-get update -qq
	export WUFANG_APT_UPDATED=1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$apt_dir/wufang-kiosk_${ver}_amd64.deb" >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log" >&2; fail "apt-get install wufang-kiosk failed"; }
[ "$(wufang-kiosk --version 2>/dev/null)" = "wufang-kiosk $want" ] || fail "wufang-kiosk --version: $(wufang-kiosk --version 2>&1)"
systemd-analyze verify /lib/systemd/system/wufang-kiosk.service || fail "systemd-analyze verify wufang-kiosk.service"
[ -L /etc/systemd/system/multi-user.target.wants/wufang-kiosk.service ] || fail "wufang-kiosk.service is not enabled for boot"
wufang-edge --config /etc/wufang/wufang.yaml config check >/dev/null || fail "config check in the kiosk package"
wufang-edge --config /etc/wufang/wufang.yaml config check | grep -qx '    rotate: 0' || fail "config check does not show kiosk.rotate"
for b in wufang-kiosk wufang-render wufang-edge; do man_shows_help "$b"; done
# The touch rule the unit installs before cage, for the shipped config.
wufang-kiosk session touch-rule --config /etc/wufang/wufang.yaml | grep -qF 'ENV{LIBINPUT_CALIBRATION_MATRIX}="1 0 0 0 1 0"' ||
	fail "wufang-kiosk session touch-rule: $(wufang-kiosk session touch-rule --config /etc/wufang/wufang.yaml 2>&1)"
dpkg --purge wufang-kiosk >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge of wufang-kiosk failed"; }
for f in /usr/bin/wufang-kiosk /etc/wufang /var/lib/wufang /etc/systemd/system/multi-user.target.wants/wufang-kiosk.service; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "purge of wufang-kiosk left $f"
done
log "packages install, upgrade and purge cleanly"
