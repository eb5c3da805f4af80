package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// rasterSVG draws an SVG document into a w×h bitmap (the picture keeps its
// proportions inside it, top-left aligned, as Fyne places it).
//
// It does what Fyne's canvas.Image does for an SVG resource, with the same
// parser (oksvg) and rasteriser (rasterx), but into an *image.RGBA: there
// golang.org/x/image/vector fills each path with its fast path, where
// Fyne's *image.NRGBA takes the generic one (a Set and an At per pixel per
// path). That made rasterising most of the kiosk's start-up time; it is
// now several times quicker (BenchmarkRasterSVG), and the result is what
// the GL painter uploads as it is.
func rasterSVG(doc []byte, w, h int) (img *image.RGBA, err error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("svg: empty size %dx%d", w, h)
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("svg: %w", err)
	}
	vb := icon.ViewBox
	if vb.W <= 0 || vb.H <= 0 {
		return nil, errors.New("svg: no view box")
	}
	aspect := vb.W / vb.H
	imgW, imgH := w, h
	if view := float64(w) / float64(h); view > aspect {
		imgW = max(1, int(float64(h)*aspect))
	} else if view < aspect {
		imgH = max(1, int(float64(w)/aspect))
	}
	y := 0.0
	if vb.Y < 0 { // as Fyne does, so pictures land where they did
		y = vb.Y + (-vb.Y/vb.H)*float64(imgH)
	}
	icon.SetTarget(0, y, float64(imgW), float64(imgH))
	img = image.NewRGBA(image.Rect(0, 0, imgW, imgH))
	scanner := rasterx.NewScannerGV(int(vb.W), int(vb.H), img, img.Bounds())
	defer func() { // oksvg panics on some malformed documents
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("svg: cannot draw: %v", r)
		}
	}()
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)
	return img, nil
}
