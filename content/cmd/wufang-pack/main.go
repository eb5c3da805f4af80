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
//	wufang-pack install X.wfpack [--data-dir DIR] [--config FILE] [--allow-downgrade]
//	wufang-pack rollback [--data-dir DIR] [--config FILE]
//
// Exit status: 0 done, 1 the pack has problems or was refused, 2 the command
// line was wrong.
package main

import (
	"os"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
