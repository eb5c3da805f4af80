// Package builtin is the default content pack of the kiosk: five bilingual
// modules (traffic, fire, fraud, drugs, disasters) in the wufang-pack/1
// format, with illustrations drawn for this project as SVG. It is embedded
// in the binary, so a kiosk with no pack installed still has something worth
// a visitor's ten minutes.
//
// Every fact the pack teaches is listed, per module and in both languages,
// in REVIEW.md for staff sign-off.
package builtin

import (
	"embed"
	"io/fs"
)

//go:embed pack
var files embed.FS

// FS returns the built-in pack as a file system rooted at the pack folder:
// pack.yaml at its root, modules/<id>.yaml and media/ beside it. It is ready
// for content.Load.
func FS() fs.FS {
	sub, err := fs.Sub(files, "pack")
	if err != nil {
		// fs.Sub fails only on an invalid path; "pack" is a constant.
		panic("builtin: " + err.Error())
	}
	return sub
}
