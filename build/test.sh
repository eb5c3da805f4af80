#!/usr/bin/env bash
# The whole test suite: what the README names and what CI runs.
#   format check, go vet, import boundaries, self-contained docs, go test -race over every
#   package (with a real mosquitto and Xvfb started by the tests themselves),
#   and the pure-Go cross-builds for arm64 and armv7.
# Installs the Debian packages and the Go toolchain it needs when missing.
source "$(dirname "$0")/lib.sh"
need_packages "${FYNE_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
need_go
cd "$WUFANG_ROOT"
export LANG=C.UTF-8
start=$(date +%s)

log "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
if [ -n "$bad" ]; then
	echo "gofmt would change these files (run gofmt -w):" >&2
	echo "$bad" >&2
	exit 1
fi

log "go vet"
go vet ./...

log "import boundaries"
"$WUFANG_ROOT/build/check-imports.sh"

log "docs stay inside the repository"
"$WUFANG_ROOT/build/check-docs.sh"

log "cross-builds (CGO_ENABLED=0): linux/arm64, linux/arm (GOARM=7)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for target in arm64: arm:7; do
	arch=${target%%:*}
	arm=${target#*:}
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOARM=$arm go build -o "$out/$arch/" ./edge/cmd/wufang-edge ./edge/cmd/wufang-hub ./content/cmd/wufang-pack
	file "$out/$arch/"* 2>/dev/null | sed 's/^/    /' || ls -l "$out/$arch/"
done

log "go test -race ./..."
# CI=true makes tests that need mosquitto or Xvfb fail (never skip) when missing.
export CI=${CI:-true}
go test -race -timeout 25m ./...

log "all checks passed in $(( $(date +%s) - start ))s"
