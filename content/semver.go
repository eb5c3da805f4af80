package content

import (
	"fmt"
	"strconv"
	"strings"
)

// version is a parsed semantic version (semver.org 2.0.0); build metadata
// is ignored.
type version struct {
	major, minor, patch uint64
	pre                 []string
}

// parseVersion parses "1.2.3", "1.2.3-rc.1" or "1.2.3+build"; a leading v is
// accepted ("v1.2.3").
func parseVersion(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		for _, id := range strings.Split(s[i+1:], ".") {
			if !semverIdent(id) {
				return v, false
			}
		}
		s = s[:i]
	}
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	nums := make([]uint64, 3)
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return v, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v, false
		}
		nums[i] = n
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	if hasPre {
		if pre == "" {
			return v, false
		}
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if !semverIdent(id) {
				return v, false
			}
		}
	}
	return v, true
}

// semverIdent: a pre-release or build identifier, [0-9A-Za-z-]+.
func semverIdent(id string) bool {
	return id != "" && strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == ""
}

func (v version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	if len(v.pre) > 0 {
		s += "-" + strings.Join(v.pre, ".")
	}
	return s
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare orders versions by semver precedence.
func (v version) compare(w version) int {
	if c := cmpUint(v.major, w.major); c != 0 {
		return c
	}
	if c := cmpUint(v.minor, w.minor); c != 0 {
		return c
	}
	if c := cmpUint(v.patch, w.patch); c != 0 {
		return c
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1 // a release is above its pre-releases
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		a, b := v.pre[i], w.pre[i]
		an, aerr := strconv.ParseUint(a, 10, 64)
		bn, berr := strconv.ParseUint(b, 10, 64)
		switch {
		case aerr == nil && berr == nil:
			if c := cmpUint(an, bn); c != 0 {
				return c
			}
		case aerr == nil:
			return -1 // numeric identifiers sort before alphanumeric ones
		case berr == nil:
			return 1
		default:
			if c := strings.Compare(a, b); c != 0 {
				return c
			}
		}
	}
	return cmpUint(uint64(len(v.pre)), uint64(len(w.pre)))
}

// CompareVersions compares two pack versions by semver precedence: -1, 0 or
// +1. It returns an error when either is not a semantic version.
func CompareVersions(a, b string) (int, error) {
	va, ok := parseVersion(a)
	if !ok {
		return 0, fmt.Errorf("compare versions: %q is not a version like 1.2.0", a)
	}
	vb, ok := parseVersion(b)
	if !ok {
		return 0, fmt.Errorf("compare versions: %q is not a version like 1.2.0", b)
	}
	return va.compare(vb), nil
}

// CheckAppVersion says whether an app of appVersion may use the pack: the
// pack's min_app_version must not be above it. A development build
// (appVersion "" or "dev", or anything that is not a semantic version)
// accepts every pack, so packs can be tried before a release exists.
func CheckAppVersion(p *Pack, appVersion string) error {
	if p.MinAppVersion == "" {
		return nil
	}
	app, ok := parseVersion(appVersion)
	if !ok {
		return nil
	}
	need, ok := parseVersion(p.MinAppVersion)
	if !ok {
		return fmt.Errorf("%w: min_app_version %q is not a version like 1.2.0; fix pack.yaml", ErrAppTooOld, p.MinAppVersion)
	}
	if app.compare(need) < 0 {
		return fmt.Errorf("%w: pack %s %s needs wufang %s or later, and this device runs %s; update the app first, or install an older version of the pack", ErrAppTooOld, p.ID, p.Version, need, app)
	}
	return nil
}
