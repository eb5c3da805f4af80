package flowtest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/wufang-kiosk/wufang/content"
)

// FS returns Pack as a pack folder (pack.yaml, modules/<id>.yaml and small
// PNG pictures for every media path), for code that loads packs with
// content.Load or needs the media.
func FS() fs.FS {
	p := Pack()
	m := fstest.MapFS{}
	put := func(name string, v any) {
		b, err := yaml.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("flowtest: %s: %v", name, err))
		}
		m[name] = &fstest.MapFile{Data: b}
	}
	put("pack.yaml", p) // Mods is yaml:"-"
	for _, mod := range p.Mods {
		put(content.ModuleFile(mod.ID), mod)
		addPNG(m, mod.Icon, 64, 64)
		for _, st := range mod.Steps {
			addPNG(m, st.Image, 640, 400)
		}
	}
	return m
}

func addPNG(m fstest.MapFS, name string, w, h int) {
	if name == "" {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic("flowtest: " + err.Error())
	}
	m[name] = &fstest.MapFile{Data: b.Bytes()}
}
