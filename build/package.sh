#!/usr/bin/env bash
# The Debian packages of every binary for every board, and a flat apt
# repository of them (Packages, Release) for USB sticks and intranet servers:
#   build/package.sh [--bin DIR] [--out DIR]
# --bin: build/cross.sh's output (default: run build/cross.sh into dist/bin);
# --out: where the .debs and the index go (default: dist/apt).
# The packages are made by build/deb (nfpm as a Go library); see DEPLOY.md
# for installing from the repository.
source "$(dirname "$0")/lib.sh"
bin= out=$WUFANG_ROOT/dist/apt
while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$(realpath "$2") && shift 2 ;;
	--out) out=$(realpath -m "$2") && shift 2 ;;
	*) echo "usage: build/package.sh [--bin DIR] [--out DIR]" >&2 && exit 2 ;;
	esac
done
need_go
if [ -z "$bin" ]; then
	bin=$WUFANG_ROOT/dist/bin
	"$WUFANG_ROOT/build/cross.sh" --out "$bin"
fi
# Same tree, same packages: every file gets the commit's time.
SOURCE_DATE_EPOCH=$(git -C "$WUFANG_ROOT" log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH
rm -rf "$out" && mkdir -p "$out"
log "packages $(wufang_version) -> $out"
(cd "$WUFANG_ROOT/build/deb" && go run . -bin "$bin" -out "$out" -version "$(wufang_version)" -root "$WUFANG_ROOT")
