// Command wufang-render draws every screen of a content pack to PNG files
// with the kiosk's own screens and lists what does not fit the window:
//
//	wufang-render PACK [--size 800x480] [--lang zh-CN] [--out DIR]
//
// PACK is a pack folder or a .wfpack. It needs no display and builds
// without cgo (Fyne's test driver and software painter), so a pack author
// can run it on any machine. Exit status: 0 when everything fits, 1 on
// misfits, 2 on a usage or load error.
package main

import (
	"os"

	_ "github.com/wufang-kiosk/wufang/kiosk/cmd/wufang-kiosk/fynelocale" // before Fyne's init: no "Error parsing user locale C"
	"github.com/wufang-kiosk/wufang/kiosk/ui/render"
)

func main() {
	os.Exit(render.Command(os.Args[1:], os.Stdout, os.Stderr))
}
