package content

import (
	"fmt"

	"github.com/wufang-kiosk/wufang/internal/version"
)

// CompareVersions compares two pack versions by semver precedence: -1, 0 or
// +1. It returns an error when either is not a semantic version.
func CompareVersions(a, b string) (int, error) { return version.Compare(a, b) }

// CheckAppVersion says whether an app of appVersion may use the pack: the
// pack's min_app_version must not be above it. An app version that is not a
// semantic version (or is unknown, "") refuses every pack that names a
// min_app_version: skipping the check would let a pack onto a board that
// cannot show it. Every wufang build has a real version (internal/version).
func CheckAppVersion(p *Pack, appVersion string) error {
	if p.MinAppVersion == "" {
		return nil
	}
	if !version.Valid(p.MinAppVersion) {
		return fmt.Errorf("%w: min_app_version %q is not a version like 1.2.0; fix pack.yaml", ErrAppTooOld, p.MinAppVersion)
	}
	if appVersion == "" {
		return fmt.Errorf("%w: pack %s %s needs wufang %s or later, and the app version on this device is unknown; run wufang-kiosk --version on the board and pass it with --app-version", ErrAppTooOld, p.ID, p.Version, p.MinAppVersion)
	}
	c, err := version.Compare(appVersion, p.MinAppVersion)
	if err != nil {
		return fmt.Errorf("%w: pack %s %s needs wufang %s or later, and this device's app version %q is not a version; reinstall the app from a release package", ErrAppTooOld, p.ID, p.Version, p.MinAppVersion, appVersion)
	}
	if c < 0 {
		return fmt.Errorf("%w: pack %s %s needs wufang %s or later, and this device runs %s; update the app first, or install an older version of the pack", ErrAppTooOld, p.ID, p.Version, p.MinAppVersion, appVersion)
	}
	return nil
}
