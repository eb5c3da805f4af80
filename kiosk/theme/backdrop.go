package theme

import (
	"image/color"
	"sync/atomic"
)

// Backdrop is a background colour that follows the screen on show. Fyne
// clears the window to the theme's background colour before it draws each
// frame; a screen whose bottom layer is one opaque colour can hand that
// colour here and leave the layer out, instead of having a window-sized
// rectangle blended into every frame (on llvmpipe at 800×480 that was about
// a tenth of the attract loop's CPU: build/bench/NOTES.md §2).
//
// Only ColorNameBackground follows it; the zero Backdrop, or one Set to
// nil, leaves the theme's own background.
//
// Fyne 2.7.1's GL painter clears with each 16-bit component divided by
// 255×255 instead of 65535 (max16bit in internal/painter/gl/gl.go), which
// shows a light colour up to 2 levels lighter than the same colour drawn as
// a rectangle (#F6F3EC as #F8F5EE). The theme hands the painter each 8-bit
// component times 255, so the window is cleared to the colour exactly.
// Software painters (Fyne's test canvas) read that as one level darker.
type Backdrop struct{ c atomic.Pointer[color.RGBA64] }

// Set makes c the background colour; nil goes back to the theme's own.
func (b *Backdrop) Set(c color.Color) {
	if c == nil {
		b.c.Store(nil)
		return
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	b.c.Store(&color.RGBA64{R: uint16(n.R) * 255, G: uint16(n.G) * 255, B: uint16(n.B) * 255, A: 0xffff})
}

// colour is the colour set, scaled for Fyne's clear (see Backdrop), or nil.
func (b *Backdrop) colour() color.Color {
	if b == nil {
		return nil
	}
	if c := b.c.Load(); c != nil {
		return *c
	}
	return nil
}
