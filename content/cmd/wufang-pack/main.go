// Command wufang-pack is the staff tool for wufang content packs: make a new
// pack, check it, sign it, and install it into a kiosk's data folder.
//
//	wufang-pack init DIR
//	wufang-pack validate PATH
//	wufang-pack keygen --out FILE
//	wufang-pack build DIR --key FILE [--out X.wfpack]
//	wufang-pack sign X.wfpack --key FILE
//	wufang-pack verify X.wfpack (--key-line LINE | --config FILE)
//	wufang-pack info PATH | --data-dir DIR
//	wufang-pack install X.wfpack [--data-dir DIR] [--config FILE] [--allow-downgrade] [--app-version V]
//	wufang-pack rollback [--data-dir DIR] [--config FILE] [--app-version V]
//
// install and rollback check the pack's min_app_version against the kiosk
// that will show it: --app-version, else `wufang-kiosk --version` of the
// wufang-kiosk beside this binary or on PATH. When neither is known, a pack
// that names a min_app_version is refused.
//
// Exit status: 0 done, 1 the pack has problems or was refused, 2 the command
// line was wrong.
package main

import (
	"os"

	wversion "github.com/wufang-kiosk/wufang/internal/version"
)

// version is the one every wufang binary reports (internal/version says how
// the build stamps it).
var version = wversion.String()

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
