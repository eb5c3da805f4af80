// Package version is the one version every wufang binary reports (--version,
// the status payload, the pack installer's min_app_version check), and the
// semantic-version comparison the packs use.
//
// The build scripts stamp it with
//
//	-ldflags "-X github.com/wufang-kiosk/wufang/internal/version.stamped=0.1.0+12.g1a2b3c4"
//
// (build/lib.sh's wufang_version makes that string from git describe). A
// binary built without the stamp (go build, go install, go test) takes the
// version from its build info: a release tag when `go install …@v0.2.0`
// built it, otherwise Base with "+dev", so that a development build accepts
// the packs of its own tree (their min_app_version is at most Base).
package version

import (
	"fmt"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Base is the version this tree is: raise it when a release is tagged
// (tag vBase), before the first change that packs may come to depend on.
// The built-in pack's min_app_version must not be above it (a test checks).
const Base = "0.1.0"

// stamped is set by the linker (-X); empty in a plain go build.
var stamped string

// readBuildInfo is debug.ReadBuildInfo, replaced in tests.
var readBuildInfo = debug.ReadBuildInfo

// String returns this binary's version, a semantic version without a
// leading v, e.g. "0.1.0", "0.1.0+12.g1a2b3c4" or "0.1.0+dev".
func String() string {
	if stamped != "" {
		return stamped
	}
	return fromBuildInfo()
}

func fromBuildInfo() string {
	bi, ok := readBuildInfo()
	if !ok {
		return Base + "+dev"
	}
	// go install module@vX.Y.Z records the release; a local build records
	// "(devel)" or, since Go 1.24, a pseudo-version from the VCS, which sorts
	// below Base and would refuse the tree's own packs.
	if v := bi.Main.Version; Valid(v) && !module.IsPseudoVersion(v) && semver.Prerelease(v) == "" && !strings.Contains(v, "+dirty") {
		return strings.TrimPrefix(v, "v")
	}
	meta := "dev"
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 7 {
			meta += ".g" + s.Value[:7]
		}
	}
	return Base + "+" + meta
}

// canon turns "1.2.3" or "v1.2.3" into x/mod/semver's form ("v1.2.3"), or
// "" when it is not a full major.minor.patch semantic version (x/mod accepts
// the shorthands "v1" and "v1.2", which a pack must not use).
func canon(s string) string {
	v := s
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return ""
	}
	core := strings.TrimSuffix(strings.TrimSuffix(v, semver.Build(v)), semver.Prerelease(v))
	if strings.Count(core, ".") != 2 {
		return ""
	}
	return v
}

// Valid reports whether s is a semantic version (semver.org 2.0.0) with all
// three numbers; a leading v is accepted.
func Valid(s string) bool { return canon(s) != "" }

// Compare orders a and b by semver precedence (-1, 0, +1; build metadata is
// ignored), or fails when either is not a version.
func Compare(a, b string) (int, error) {
	ca, cb := canon(a), canon(b)
	if ca == "" {
		return 0, fmt.Errorf("compare versions: %q is not a version like 1.2.0", a)
	}
	if cb == "" {
		return 0, fmt.Errorf("compare versions: %q is not a version like 1.2.0", b)
	}
	return semver.Compare(ca, cb), nil
}
