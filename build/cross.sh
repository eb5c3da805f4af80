#!/usr/bin/env bash
# Cross-builds every binary for every board from an amd64 Debian 12 machine:
#   wufang-kiosk (cgo, Fyne)     amd64, arm64, armhf (ARMv7), with wufang-render
#   wufang-edge, wufang-pack     amd64, arm64, armhf, armel (GOARM=6 for both:
#                                Raspberry Pi OS's armhf runs on ARMv6 Pis)
#   wufang-hub (when the tree has it): the same four
# into dist/bin/<debian arch>/, stamped with one version (lib.sh's
# wufang_version). The kiosk's C code is compiled with Debian's cross
# compilers against the :arm64 / :armhf X and GL dev packages (dpkg
# multiarch), which this script installs when missing.
#
#   build/cross.sh [--out DIR] [--no-kiosk] [ARCH...]   (default: dist/bin, all four)
source "$(dirname "$0")/lib.sh"
out=$WUFANG_ROOT/dist/bin
kiosk=1
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$(realpath -m "$2") && shift 2 ;;
	--no-kiosk) kiosk= && shift ;;
	*) break ;;
	esac
done
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64 armhf armel)

[ "$(dpkg --print-architecture)" = amd64 ] || { echo "build/cross.sh runs on amd64 Debian" >&2; exit 1; }
[ -n "$kiosk" ] && need_cross "${arches[@]}"
need_go
cd "$WUFANG_ROOT"
ver=$(wufang_version)
ldflags=$(wufang_ldflags)
pure=(./edge/cmd/wufang-edge ./content/cmd/wufang-pack)
[ -d edge/cmd/wufang-hub ] && pure+=(./edge/cmd/wufang-hub)

for a in "${arches[@]}"; do
	goarch=${DEB_GOARCH[$a]:?unknown arch $a (amd64, arm64, armhf, armel)}
	goarm=${DEB_GOARM[$a]}
	pure_goarm=${DEB_GOARM_PURE[$a]}
	mkdir -p "$out/$a"
	log "$a: ${pure[*]##*/} (CGO_ENABLED=0 GOARCH=$goarch${pure_goarm:+ GOARM=$pure_goarm}) $ver"
	CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$pure_goarm \
		go build -trimpath -ldflags "$ldflags" -o "$out/$a/" "${pure[@]}"
	if [ -n "$kiosk" ] && [ -n "${DEB_CC[$a]}" ]; then
		log "$a: wufang-kiosk (cgo, CC=${DEB_CC[$a]})"
		# PKG_CONFIG_LIBDIR points pkg-config at the target's .pc files, not
		# the build machine's. PIE, as Debian builds its binaries.
		CGO_ENABLED=1 GOOS=linux GOARCH=$goarch GOARM=$goarm CC=${DEB_CC[$a]} \
			PKG_CONFIG_LIBDIR=/usr/lib/${DEB_TRIPLET[$a]}/pkgconfig:/usr/share/pkgconfig \
			go build -trimpath -buildmode=pie -tags no_emoji -ldflags "$ldflags" -o "$out/$a/" ./kiosk/cmd/wufang-kiosk
		# wufang-kiosk render runs wufang-render (Fyne's software test
		# driver, no cgo) from beside itself.
		CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
			go build -trimpath -tags no_emoji -ldflags "$ldflags" -o "$out/$a/" ./kiosk/cmd/wufang-render
	fi
done
ls -l "$out"/*/ | sed 's/^/    /' >&2
