#!/usr/bin/env bash
# The dependency rules (README, Architecture): the sensors, content, edge and kiosk/flow
# packages never pull in Fyne (they build with CGO_ENABLED=0 and cross-compile
# without a C toolchain); bbolt stays in edge/store; paho stays in edge/uplink
# and the hub's ingest.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

deps_of() { go list -deps "$@" 2>/dev/null; }

fyne=$(deps_of ./sensors/... ./content/... ./edge/... ./kiosk/flow/... | grep '^fyne.io/' || true)
if [ -n "$fyne" ]; then
	echo "sensors, content, edge or kiosk/flow depend on Fyne:" >&2
	go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./sensors/... ./content/... ./edge/... ./kiosk/flow/... | grep 'fyne.io/' >&2 || true
	fail=1
fi

# importers PKG prints the packages of this module that import PKG directly.
importers() { go list -f '{{.ImportPath}} {{join .Imports " "}}' ./... | awk -v p="$1" '{for (i = 2; i <= NF; i++) if ($i == p) print $1}'; }

for rule in "go.etcd.io/bbolt edge/store" "github.com/eclipse/paho.mqtt.golang edge/uplink edge/hub/ingest" \
	"periph.io/x/host/v3 sensors/hw" "fyne.io/fyne/v2/app kiosk/cmd/wufang-kiosk build/bench"; do
	set -- $rule
	pkg=$1
	shift
	allowed=$(printf '\\|%s' "$@")
	bad=$(importers "$pkg" | grep -v "^github.com/wufang-kiosk/wufang/\(${allowed:2}\)\(/\|$\)" || true)
	if [ -n "$bad" ]; then
		echo "$pkg may only be imported under $*; imported by: $bad" >&2
		fail=1
	fi
done

# The sensors know nothing of the device runtime or its config: sensors/...
# (tests included) imports nothing under edge/ (edge/node turns the config
# into a room.Setup).
bad=$(go list -f '{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./sensors/... |
	awk '{for (i = 2; i <= NF; i++) if ($i ~ /^github.com\/wufang-kiosk\/wufang\/edge(\/|$)/) print $1 " imports " $i}' | sort -u)
if [ -n "$bad" ]; then
	echo "sensors must not import edge/...: $bad" >&2
	fail=1
fi

# The wire contract's production code is standard library only, so any
# consumer can vendor it; schema validation (santhosh-tekuri/jsonschema)
# lives in edge/wire/wiretest, which only tests import.
bad=$(go list -f '{{join .Imports "\n"}}' ./edge/wire | grep '\.' || true)
if [ -n "$bad" ]; then
	echo "edge/wire may only import the standard library; it imports: $bad" >&2
	fail=1
fi
bad=$(importers github.com/wufang-kiosk/wufang/edge/wire/wiretest; importers github.com/santhosh-tekuri/jsonschema/v6 | grep -v '/edge/wire/wiretest$' || true)
if [ -n "$bad" ]; then
	echo "edge/wire/wiretest and jsonschema are for tests only; imported by: $bad" >&2
	fail=1
fi

# linked PKG... prints the module's packages among PKG's dependencies that
# import one of the packages matching the regexp $1 (from the second
# argument on: the packages to check).
linked() {
	local re=$1
	shift
	go list -deps -f '{{.ImportPath}} {{join .Imports " "}}' "$@" 2>/dev/null |
		awk -v re="$re" '$1 ~ /^github.com\/wufang-kiosk\/wufang\// {for (i = 2; i <= NF; i++) if ($i ~ re) print "  " $1 " imports " $i}' | sort -u
}

# Fyne's test driver is for tests and for kiosk/ui/render (wufang-render);
# the kiosk itself never links it.
bad=$(linked '^fyne\.io/fyne/v2/test$' ./kiosk/cmd/wufang-kiosk)
if [ -n "$bad" ]; then
	printf 'kiosk/cmd/wufang-kiosk links Fyne'"'"'s test driver (only tests and kiosk/ui/render may):\n%s\n' "$bad" >&2
	fail=1
fi

# The kiosk's UI packages (screens, admin mode, theme) link no store, no
# MQTT client and no GPIO host: they take small interfaces and plain values.
bad=$(linked '^(go\.etcd\.io/bbolt|github\.com/eclipse/paho\.mqtt\.golang|periph\.io/x/host/v3)(/|$)' ./kiosk/ui/... ./kiosk/adminui/... ./kiosk/theme/...)
if [ -n "$bad" ]; then
	printf 'kiosk/ui, kiosk/adminui or kiosk/theme link bbolt, paho or periph'"'"'s host:\n%s\n' "$bad" >&2
	go list -deps -f '{{.ImportPath}}' ./kiosk/ui/... ./kiosk/adminui/... ./kiosk/theme/... | grep '^github.com/wufang-kiosk/wufang/\(edge\|sensors/hw\)' | sed 's/^/  on the way: /' >&2 || true
	fail=1
fi

# fynelocale fixes the environment in its init, before Fyne's lang package
# reads it; Go runs it first only while it does not wait for x/text or Fyne.
bad=$(deps_of ./kiosk/cmd/wufang-kiosk/fynelocale | grep '^\(fyne\.io/\|golang\.org/x/text\)' || true)
if [ -n "$bad" ]; then
	echo "kiosk/cmd/wufang-kiosk/fynelocale must import neither Fyne nor x/text (its init would run after Fyne's); it links: $bad" >&2
	fail=1
fi

# The pure-Go binaries build without cgo.
for cmd in ./edge/cmd/wufang-edge ./edge/cmd/wufang-hub ./content/cmd/wufang-pack ./kiosk/cmd/wufang-render; do
	if [ -d "$cmd" ] && ! CGO_ENABLED=0 go list -deps "$cmd" >/dev/null 2>&1; then
		echo "$cmd does not build with CGO_ENABLED=0" >&2
		fail=1
	fi
done
[ $fail = 0 ] && echo "    import boundaries hold"
exit $fail
