#!/usr/bin/env bash
# The whole test suite: what the README names and what CI runs.
#   format check, go vet, import boundaries, self-contained docs, go test -race over every
#   package (with a real mosquitto and Xvfb started by the tests themselves),
#   then every binary cross-built for every board and run under qemu
#   (build/test-boards.sh), the .deb packages and their apt repository
#   (build/package.sh), and, as root, the amd64 packages installed, upgraded
#   and purged (build/test-debs.sh).
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
(cd build/deb && go vet ./...)

log "import boundaries"
"$WUFANG_ROOT/build/check-imports.sh"

log "docs stay inside the repository"
"$WUFANG_ROOT/build/check-docs.sh"

log "go test -race ./..."
# CI=true makes tests that need mosquitto or Xvfb fail (never skip) when missing.
export CI=${CI:-true}
go test -race -timeout 25m ./...
(cd build/deb && go test -count=1 ./...)

# The boards: every binary for every architecture, run under qemu, packaged,
# and the amd64 packages installed, upgraded and purged (as root: CI).
t=$(date +%s)
log "cross-builds and packages (build/package.sh -> dist/)"
"$WUFANG_ROOT/build/package.sh" --out dist/apt
log "cross-builds and packages took $(( $(date +%s) - t ))s"
t=$(date +%s)
"$WUFANG_ROOT/build/test-boards.sh" dist/bin
log "board binaries under qemu took $(( $(date +%s) - t ))s"
if [ "$(id -u)" = 0 ]; then
	t=$(date +%s)
	"$WUFANG_ROOT/build/test-debs.sh" dist/apt dist/bin
	log "package install/upgrade/purge took $(( $(date +%s) - t ))s"
else
	# CI runs as root; a developer's machine is not one to install on.
	log "skipping build/test-debs.sh: it installs packages, run it as root on a throw-away machine"
fi

log "all checks passed in $(( $(date +%s) - start ))s"
