package theme

import (
	"image/color"
	"math"
)

// DefaultModuleColours are the fallback colours of the five modules, used
// when a pack's colour is missing or malformed. Each carries white text at
// 4.5:1 or better.
var DefaultModuleColours = map[string]color.NRGBA{
	"traffic":   {0x1f, 0x5f, 0xbf, 0xff}, // road-sign blue
	"fire":      {0xc6, 0x28, 0x28, 0xff}, // fire-engine red
	"fraud":     {0x6a, 0x3d, 0x9a, 0xff}, // purple
	"drugs":     {0x00, 0x7a, 0x6e, 0xff}, // teal
	"disasters": {0xb3, 0x54, 0x00, 0xff}, // earth orange
}

// fallbackColour is the colour of a module id this version does not know.
var fallbackColour = color.NRGBA{0x45, 0x55, 0x6b, 0xff}

// ModuleColour is the colour of module id: hex ("#RRGGBB" or "#RGB", from
// the pack's colour field) when it parses, else the module's default colour,
// else a neutral slate.
func ModuleColour(id, hex string) color.NRGBA {
	if c, ok := ParseHex(hex); ok {
		return c
	}
	if c, ok := DefaultModuleColours[id]; ok {
		return c
	}
	return fallbackColour
}

// ParseHex parses "#RRGGBB" or "#RGB" (case-insensitive) as an opaque colour.
func ParseHex(s string) (color.NRGBA, bool) {
	if len(s) == 0 || s[0] != '#' {
		return color.NRGBA{}, false
	}
	s = s[1:]
	var v [6]byte
	switch len(s) {
	case 3:
		for i := range 3 {
			d, ok := hexDigit(s[i])
			if !ok {
				return color.NRGBA{}, false
			}
			v[2*i], v[2*i+1] = d, d
		}
	case 6:
		for i := range 6 {
			d, ok := hexDigit(s[i])
			if !ok {
				return color.NRGBA{}, false
			}
			v[i] = d
		}
	default:
		return color.NRGBA{}, false
	}
	return color.NRGBA{v[0]<<4 | v[1], v[2]<<4 | v[3], v[4]<<4 | v[5], 0xff}, true
}

func hexDigit(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// TextOn is the text colour to put on background bg: white or near-black,
// whichever contrasts more.
func TextOn(bg color.Color) color.NRGBA {
	if Contrast(bg, white) >= Contrast(bg, ink) {
		return white
	}
	return ink
}

// Contrast is the WCAG 2 contrast ratio of two opaque colours, 1 to 21.
// Body text wants 4.5 or more, large text 3 or more.
func Contrast(a, b color.Color) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Luminance is c's relative luminance (WCAG 2): 0 for black, 1 for white.
func Luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// darkenForContrast darkens c step by step until text of colour on reaches
// ratio against it (or c is black).
func darkenForContrast(c color.NRGBA, on color.Color, ratio float64) color.NRGBA {
	for i := 0; i < 64 && Contrast(c, on) < ratio; i++ {
		c.R = uint8(float64(c.R) * 0.93)
		c.G = uint8(float64(c.G) * 0.93)
		c.B = uint8(float64(c.B) * 0.93)
	}
	return c
}
