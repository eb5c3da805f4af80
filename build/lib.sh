# shellcheck shell=bash
# Shared set-up for the build scripts: Debian packages and a Go toolchain.
# Sourced, not run. Everything here is idempotent and quiet when there is
# nothing to do.

set -euo pipefail

WUFANG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO_WANT=1.26.8

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# as_root runs a command as root: directly when we are root, else with sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		echo "need root to run: $*  (install sudo, or run this script as root)" >&2
		exit 1
	fi
}

# need_packages installs the Debian packages that are not installed yet.
need_packages() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]}"
	if [ -z "${WUFANG_APT_UPDATED:-}" ]; then
		as_root apt-get update -qq
		export WUFANG_APT_UPDATED=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Fyne's minimal C build set, and what the kiosk needs to run in a window.
FYNE_PACKAGES=(gcc pkg-config libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev)
# The test suite: a real broker and database, a virtual screen, taps and
# screenshots; a browser (with CJK fonts) for the hub dashboard's tests.
# cage, Xwayland and wayland-info: the real screen session turned by kiosk.rotate (kiosk/session).
TEST_PACKAGES=(mosquitto postgresql-15 xvfb xdotool imagemagick x11-utils ca-certificates curl unzip git file chromium fonts-noto-cjk
	cage xwayland wayland-utils)

# The boards, by Debian architecture: Go's GOARCH/GOARM, and for those that
# get the kiosk (cgo) the cross C compiler and multiarch triplet. armel is
# for Debian's ARMv6 soft-float systems: no kiosk there.
# Raspberry Pi OS 32-bit calls itself armhf on every Pi, the ARMv6 Pi Zero
# and Pi 1 included, so the pure-Go binaries of armhf are built for ARMv6
# (DEB_GOARM_PURE) and run on all of them; the armhf kiosk (cgo, Debian's
# ARMv7 cross compiler) needs a Pi 2 or later.
declare -A DEB_GOARCH=([amd64]=amd64 [arm64]=arm64 [armhf]=arm [armel]=arm)
declare -A DEB_GOARM=([amd64]= [arm64]= [armhf]=7 [armel]=6)
declare -A DEB_GOARM_PURE=([amd64]= [arm64]= [armhf]=6 [armel]=6)
declare -A DEB_CC=([amd64]=gcc [arm64]=aarch64-linux-gnu-gcc [armhf]=arm-linux-gnueabihf-gcc [armel]=)
declare -A DEB_TRIPLET=([amd64]=x86_64-linux-gnu [arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf [armel]=arm-linux-gnueabi)
declare -A DEB_CROSS_GCC=([arm64]=gcc-aarch64-linux-gnu [armhf]=gcc-arm-linux-gnueabihf)
# Fyne's C build set for a foreign architecture (":arch" is appended).
FYNE_CROSS_DEV=(libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
	libxi-dev libxxf86vm-dev libxkbcommon-dev)
# Running the arm builds in the tests: qemu user emulation, plus the
# target's runtime libraries (the dev packages above pull them in).
QEMU_PACKAGES=(qemu-user-static)
# Checking the packages: lintian, systemd-analyze (systemd), the JSON in the
# checks, the hub's /healthz (curl) and the man pages (man-db).
DEB_TEST_PACKAGES=(lintian systemd python3 curl man-db)

# need_cross installs what cross-building the kiosk for the given Debian
# architectures needs: dpkg multiarch, the cross compiler and the
# :arch dev packages. Architectures without a kiosk build need nothing.
need_cross() {
	local pkgs=(gcc pkg-config libc6-dev "${FYNE_PACKAGES[@]}") a p added=
	for a in "$@"; do
		[ -n "${DEB_CROSS_GCC[$a]:-}" ] || continue
		if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
			log "dpkg --add-architecture $a"
			as_root dpkg --add-architecture "$a"
			added=1
		fi
		pkgs+=("${DEB_CROSS_GCC[$a]}")
		for p in "${FYNE_CROSS_DEV[@]}"; do pkgs+=("$p:$a"); done
	done
	# A new architecture needs its package lists even when apt was updated.
	[ -n "$added" ] && unset WUFANG_APT_UPDATED
	need_packages "${pkgs[@]}"
}

# go_ok reports whether `go` on PATH is at least GO_WANT's minor version.
go_ok() {
	command -v go >/dev/null || return 1
	local v
	v=$(go env GOVERSION 2>/dev/null) || return 1
	v=${v#go}
	[ "$(printf '%s\n%s\n' "1.26" "$v" | sort -V | head -1)" = "1.26" ]
}

# need_go puts a Go >= 1.26 on PATH. Debian 12 ships Go 1.19, so when no
# recent Go is installed, fetch the official toolchain from the Go module
# proxy (the same zip `GOTOOLCHAIN=auto` uses) into the user's cache.
need_go() {
	[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
	go_ok && return 0
	local arch
	case "$(uname -m)" in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	armv7l | armv6l) arch=armv6l ;;
	*) echo "no Go toolchain for $(uname -m); install Go $GO_WANT by hand" >&2; exit 1 ;;
	esac
	local dir=${XDG_CACHE_HOME:-$HOME/.cache}/wufang/go$GO_WANT
	if [ ! -x "$dir/bin/go" ]; then
		need_packages curl unzip ca-certificates
		log "fetching Go $GO_WANT ($arch) from the Go module proxy"
		local tmp
		tmp=$(mktemp -d)
		curl -fsSL -o "$tmp/go.zip" "${GOPROXY_URL:-https://proxy.golang.org}/golang.org/toolchain/@v/v0.0.1-go$GO_WANT.linux-$arch.zip"
		unzip -q "$tmp/go.zip" -d "$tmp"
		mkdir -p "$(dirname "$dir")"
		rm -rf "$dir"
		mv "$tmp/golang.org/toolchain@v0.0.1-go$GO_WANT.linux-$arch" "$dir"
		chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/* 2>/dev/null || true
		rm -rf "$tmp"
	fi
	export PATH=$dir/bin:$PATH
	go_ok || { echo "Go set-up failed: $(command -v go) is $(go env GOVERSION)" >&2; exit 1; }
}

# wufang_version prints the version the build scripts stamp into every
# binary (internal/version explains the scheme): Base from
# internal/version/version.go, exactly, when git describe says HEAD is the
# clean tag vBase; otherwise Base plus build metadata: the number of commits
# in the history and the commit ("0.1.0+212.g1a2b3c4", ".dirty" when there
# are uncommitted changes). Build metadata keeps semver precedence at Base,
# so a development build accepts the packs of its own tree.
# WUFANG_VERSION overrides it (CI's upgrade test builds a "newer" package).
wufang_version() {
	if [ -n "${WUFANG_VERSION:-}" ]; then
		echo "$WUFANG_VERSION"
		return
	fi
	local base desc n dirty=
	base=$(sed -n 's/^const Base = "\(.*\)"$/\1/p' "$WUFANG_ROOT/internal/version/version.go")
	[ -n "$base" ] || { echo "no const Base in internal/version/version.go" >&2; exit 1; }
	desc=$(git -C "$WUFANG_ROOT" describe --tags --always --long --dirty --abbrev=7 --match "v$base" 2>/dev/null) ||
		{ echo "$base+nogit"; return; }
	case $desc in *-dirty) dirty=.dirty desc=${desc%-dirty} ;; esac
	case $desc in
	"v$base-0-g"*) [ -z "$dirty" ] && { echo "$base"; return; } ;;
	esac
	# Counting the whole history (not commits since the tag) keeps the
	# Debian versions of successive builds rising.
	n=$(git -C "$WUFANG_ROOT" rev-list --count HEAD)
	echo "$base+$n.g${desc##*-g}$dirty"
}

# deb_version turns an app version into the package's Debian version: build
# metadata becomes a "~" suffix, so development builds of 0.1.0 sort below
# the 0.1.0 release in dpkg as they do in semver terms.
deb_version() {
	echo "${1/+/\~}"
}

# wufang_ldflags: the linker flags that stamp the version (and strip the
# symbol table: the binaries go onto SD cards).
wufang_ldflags() {
	echo "-s -w -X github.com/wufang-kiosk/wufang/internal/version.stamped=$(wufang_version)"
}
