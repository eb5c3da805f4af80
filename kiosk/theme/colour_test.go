package theme

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

func TestParseHex(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want color.NRGBA
		ok   bool
	}{
		{"#C62828", color.NRGBA{0xc6, 0x28, 0x28, 0xff}, true},
		{"#c62828", color.NRGBA{0xc6, 0x28, 0x28, 0xff}, true},
		{"#f80", color.NRGBA{0xff, 0x88, 0x00, 0xff}, true},
		{"C62828", color.NRGBA{}, false},
		{"#C6282", color.NRGBA{}, false},
		{"#C6282G", color.NRGBA{}, false},
		{"", color.NRGBA{}, false},
		{"#", color.NRGBA{}, false},
	} {
		got, ok := ParseHex(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseHex(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestModuleColourFallbacks(t *testing.T) {
	if got := ModuleColour("fire", "#123456"); got != (color.NRGBA{0x12, 0x34, 0x56, 0xff}) {
		t.Errorf("pack colour ignored: %v", got)
	}
	if got := ModuleColour("fire", "red"); got != DefaultModuleColours["fire"] {
		t.Errorf("malformed colour: got %v, want the default fire colour", got)
	}
	if got := ModuleColour("unknown", ""); got != fallbackColour {
		t.Errorf("unknown module: got %v", got)
	}
	for id, c := range DefaultModuleColours {
		if r := Contrast(c, white); r < 4.5 {
			t.Errorf("default %s colour has %.2f:1 against white text, want 4.5", id, r)
		}
	}
}

func TestThemeModuleColours(t *testing.T) {
	light := New(Options{ModuleColours: map[string]string{"fire": "#ff6666", "drugs": "nope"}})
	if got := light.Color(ColorNameModule("fire"), 0); got != (color.NRGBA{0xff, 0x66, 0x66, 0xff}) {
		t.Errorf("fire = %v, want the pack's colour", got)
	}
	if got := light.Color(ColorNameModule("drugs"), 0); got != DefaultModuleColours["drugs"] {
		t.Errorf("drugs = %v, want the default", got)
	}
	if got := light.Color(ColorNameModule("nosuch"), 0); got != light.Color(fynetheme.ColorNamePrimary, 0) {
		t.Errorf("unknown module = %v, want primary", got)
	}
	hc := New(Options{HighContrast: true, ModuleColours: map[string]string{"fire": "#ff6666"}})
	for _, id := range []string{"traffic", "fire", "fraud", "drugs", "disasters"} {
		if r := Contrast(hc.Color(ColorNameModule(id), 0), white); r < 7 {
			t.Errorf("high contrast %s: %.2f:1 against white, want 7", id, r)
		}
	}
	if r := Contrast(hc.Color(fynetheme.ColorNameForeground, 0), hc.Color(fynetheme.ColorNameBackground, 0)); r < 20 {
		t.Errorf("high contrast text %.2f:1, want black on white", r)
	}
	for _, o := range []Options{{}, {Dark: true}, {Dark: true, HighContrast: true}} {
		th := New(o)
		if r := Contrast(th.Color(fynetheme.ColorNameForeground, 0), th.Color(fynetheme.ColorNameBackground, 0)); r < 7 {
			t.Errorf("%+v: text %.2f:1 on background, want 7", o, r)
		}
	}
}

func TestTextOn(t *testing.T) {
	if TextOn(color.NRGBA{0xff, 0xee, 0x58, 0xff}) != ink {
		t.Error("yellow wants dark text")
	}
	if TextOn(DefaultModuleColours["fire"]) != white {
		t.Error("red wants white text")
	}
}

func TestSizes(t *testing.T) {
	normal, large := New(Options{}), New(Options{LargeText: true})
	if s := normal.Size(fynetheme.SizeNameText); s < 20 {
		t.Errorf("text size %v is too small for a kiosk", s)
	}
	if n, l := normal.Size(fynetheme.SizeNameText), large.Size(fynetheme.SizeNameText); l != n*LargeTextScale {
		t.Errorf("large text %v, want %v", l, n*LargeTextScale)
	}
	if n, l := normal.Size(SizeNameHotlineText), large.Size(SizeNameHotlineText); l <= n {
		t.Errorf("hotline does not grow in large-text mode: %v vs %v", l, n)
	}
	// Large text changes text only, never the layout's spacing or targets.
	for _, n := range []string{string(fynetheme.SizeNamePadding), string(fynetheme.SizeNameInnerPadding), string(SizeNameTouchTarget)} {
		if a, b := normal.Size(fyne.ThemeSizeName(n)), large.Size(fyne.ThemeSizeName(n)); a != b {
			t.Errorf("%s changes with large text: %v vs %v", n, a, b)
		}
	}
	if s := normal.Size(SizeNameTouchTarget); s < 56 {
		t.Errorf("touch target %v < 56", s)
	}
	if s := New(Options{TextScale: 2, LargeText: true}).Size(fynetheme.SizeNameText); s != 2*baseText {
		t.Errorf("explicit scale above the large-text scale must win: %v", s)
	}
	if s := normal.Size(fynetheme.SizeNameScrollBar); s != 0 {
		t.Errorf("scroll bar %v: nothing scrolls in the kiosk", s)
	}
}
