package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// Options chooses the kiosk's look. The zero value is the normal kiosk
// theme: light, text scale 1, built-in module colours.
type Options struct {
	// TextScale multiplies every text size; 0 means 1. LargeText sets it to
	// LargeTextScale when it is lower.
	TextScale float32
	// LargeText is the visitors' large-text mode.
	LargeText bool
	// HighContrast uses pure black on white, stronger borders and darkened
	// module colours (each at least 7:1 against white text).
	HighContrast bool
	// Dark is the dark variant: the "closed" screen and admin mode.
	Dark bool
	// ModuleColours maps a module id to its pack colour, "#RRGGBB"; missing
	// or malformed entries fall back to DefaultModuleColours.
	ModuleColours map[string]string
	// Backdrop, when set, overrides the background colour while it holds
	// one (see Backdrop).
	Backdrop *Backdrop
}

// LargeTextScale is the text scale of large-text mode.
const LargeTextScale = 1.3

// Custom size names, for the kiosk's own widgets; Size returns them scaled
// like the standard text sizes (except SizeNameTouchTarget).
const (
	// SizeNameTitleText is a screen title (step, module, slide).
	SizeNameTitleText fyne.ThemeSizeName = "wufang.titleText"
	// SizeNameBodyText is lesson and explanation text.
	SizeNameBodyText fyne.ThemeSizeName = "wufang.bodyText"
	// SizeNameButtonText is the text of an option or navigation button.
	SizeNameButtonText fyne.ThemeSizeName = "wufang.buttonText"
	// SizeNameHotlineText is the hotline number on the result screen.
	SizeNameHotlineText fyne.ThemeSizeName = "wufang.hotlineText"
	// SizeNameTouchTarget is the smallest side of anything a visitor taps:
	// 9 mm on a 7" 800×480 panel is about 56 px.
	SizeNameTouchTarget fyne.ThemeSizeName = "wufang.touchTarget"
)

// Base sizes at scale 1 (800×480). Fyne's defaults are 14 text / 4 padding,
// made for a desktop at arm's length; a kiosk is read standing, by children
// and elderly people, and tapped with fingers.
const (
	baseText        = 22
	baseCaption     = 18
	baseSubHeading  = 26
	baseHeading     = 32
	baseTitle       = 30
	baseBody        = 22
	baseButton      = 24
	baseHotline     = 72
	baseTouchTarget = 56
	basePadding     = 8
	baseInner       = 12
	baseLineSpacing = 6
	baseIcon        = 32
)

type kioskTheme struct {
	opts    Options
	scale   float32
	modules map[string]color.NRGBA
}

var _ fyne.Theme = (*kioskTheme)(nil)

// New returns the kiosk theme for opts.
func New(opts Options) fyne.Theme {
	s := opts.TextScale
	if s <= 0 {
		s = 1
	}
	if opts.LargeText && s < LargeTextScale {
		s = LargeTextScale
	}
	t := &kioskTheme{opts: opts, scale: s, modules: map[string]color.NRGBA{}}
	for id := range DefaultModuleColours {
		t.modules[id] = ModuleColour(id, opts.ModuleColours[id])
	}
	for id, hex := range opts.ModuleColours {
		t.modules[id] = ModuleColour(id, hex)
	}
	if opts.HighContrast {
		for id, c := range t.modules {
			t.modules[id] = darkenForContrast(c, white, 7)
		}
	}
	return t
}

// ColorNameModule is the custom colour name of a module's colour, for
// example ColorNameModule("fire"). Color returns the pack's colour for it
// (after the high-contrast adjustment when that mode is on).
func ColorNameModule(id string) fyne.ThemeColorName {
	return fyne.ThemeColorName("wufang.module." + id)
}

var (
	white     = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	black     = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	ink       = color.NRGBA{0x1a, 0x1f, 0x2b, 0xff} // body text on light
	paper     = color.NRGBA{0xf7, 0xf5, 0xf0, 0xff} // warm off-white background
	night     = color.NRGBA{0x12, 0x16, 0x1f, 0xff}
	nightInk  = color.NRGBA{0xee, 0xee, 0xee, 0xff}
	brand     = color.NRGBA{0x0b, 0x57, 0xd0, 0xff} // primary: a calm blue, 6.4:1 on white
	brandDark = color.NRGBA{0x7c, 0xac, 0xf8, 0xff}
	success   = color.NRGBA{0x1b, 0x7f, 0x3b, 0xff} // "right": 5.1:1 on white
	danger    = color.NRGBA{0xb3, 0x26, 0x1e, 0xff} // "wrong": 6.5:1 on white
	warning   = color.NRGBA{0xb0, 0x5a, 0x00, 0xff}
)

func (t *kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	// The variant the app asks for is ignored: the kiosk's look is chosen by
	// Options, not by the desktop's light or dark preference.
	if len(n) > len("wufang.module.") && n[:len("wufang.module.")] == "wufang.module." {
		id := string(n[len("wufang.module."):])
		if c, ok := t.modules[id]; ok {
			return c
		}
		return t.Color(fynetheme.ColorNamePrimary, 0)
	}
	if n == fynetheme.ColorNameBackground {
		if c := t.opts.Backdrop.colour(); c != nil {
			return c
		}
	}
	hc, dark := t.opts.HighContrast, t.opts.Dark
	switch n {
	case fynetheme.ColorNameBackground, fynetheme.ColorNameMenuBackground, fynetheme.ColorNameOverlayBackground:
		switch {
		case dark && hc:
			return black
		case dark:
			return night
		case hc:
			return white
		}
		return paper
	case fynetheme.ColorNameForeground:
		switch {
		case dark && hc:
			return white
		case dark:
			return nightInk
		case hc:
			return black
		}
		return ink
	case fynetheme.ColorNamePrimary, fynetheme.ColorNameHyperlink, fynetheme.ColorNameFocus:
		if dark {
			return brandDark
		}
		if hc {
			return darkenForContrast(brand, white, 7)
		}
		return brand
	case fynetheme.ColorNameForegroundOnPrimary:
		if dark {
			return black
		}
		return white
	case fynetheme.ColorNameButton:
		switch {
		case dark:
			return color.NRGBA{0x2a, 0x31, 0x3f, 0xff}
		case hc:
			return white
		}
		return color.NRGBA{0xe4, 0xe1, 0xda, 0xff}
	case fynetheme.ColorNameDisabledButton:
		if dark {
			return color.NRGBA{0x22, 0x26, 0x2e, 0xff}
		}
		return color.NRGBA{0xec, 0xea, 0xe6, 0xff}
	case fynetheme.ColorNameDisabled, fynetheme.ColorNamePlaceHolder:
		if dark {
			return color.NRGBA{0x8a, 0x90, 0x9c, 0xff}
		}
		if hc {
			return color.NRGBA{0x44, 0x44, 0x44, 0xff}
		}
		return color.NRGBA{0x6b, 0x6f, 0x78, 0xff} // 4.9:1 on paper: still readable
	case fynetheme.ColorNameInputBackground:
		if dark {
			return color.NRGBA{0x1e, 0x23, 0x2d, 0xff}
		}
		return white
	case fynetheme.ColorNameInputBorder, fynetheme.ColorNameSeparator:
		switch {
		case hc && dark:
			return white
		case hc:
			return black
		case dark:
			return color.NRGBA{0x4a, 0x52, 0x60, 0xff}
		}
		return color.NRGBA{0xc8, 0xc4, 0xba, 0xff}
	case fynetheme.ColorNameHover:
		// Touchscreens have no hover; a stray pointer must not light buttons.
		return color.Transparent
	case fynetheme.ColorNamePressed:
		if dark {
			return color.NRGBA{0xff, 0xff, 0xff, 0x40}
		}
		return color.NRGBA{0x00, 0x00, 0x00, 0x30}
	case fynetheme.ColorNameSelection:
		return color.NRGBA{brand.R, brand.G, brand.B, 0x40}
	case fynetheme.ColorNameShadow:
		if hc {
			return color.Transparent
		}
		return color.NRGBA{0x00, 0x00, 0x00, 0x33}
	case fynetheme.ColorNameScrollBar, fynetheme.ColorNameScrollBarBackground:
		// Nothing scrolls in the kiosk.
		return color.Transparent
	case fynetheme.ColorNameHeaderBackground:
		if dark {
			return color.NRGBA{0x1e, 0x23, 0x2d, 0xff}
		}
		return color.NRGBA{0xec, 0xe8, 0xdf, 0xff}
	case fynetheme.ColorNameSuccess:
		return success
	case fynetheme.ColorNameError:
		return danger
	case fynetheme.ColorNameWarning:
		return warning
	case fynetheme.ColorNameForegroundOnSuccess, fynetheme.ColorNameForegroundOnError, fynetheme.ColorNameForegroundOnWarning:
		return white
	}
	v := fynetheme.VariantLight
	if dark {
		v = fynetheme.VariantDark
	}
	return fynetheme.DefaultTheme().Color(n, v)
}

func (t *kioskTheme) Font(style fyne.TextStyle) fyne.Resource {
	// Italic has no CJK face; monospace and symbol text only appear in admin
	// mode and must still show hanzi, so every style maps to the bundled
	// faces. Bold is Bold whatever else is set. Each style gets the resource
	// Fyne falls back to for it (font.go), in the order Fyne looks at the
	// style's flags.
	switch {
	case style.Monospace && !style.Bold:
		return monospace
	case style.Bold && style.Italic:
		return boldItalic
	case style.Bold:
		return Bold
	case style.Italic:
		return italic
	}
	return Regular
}

func (t *kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return fynetheme.DefaultTheme().Icon(n)
}

func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.scale
	switch n {
	case fynetheme.SizeNameText:
		return baseText * s
	case fynetheme.SizeNameCaptionText:
		return baseCaption * s
	case fynetheme.SizeNameSubHeadingText:
		return baseSubHeading * s
	case fynetheme.SizeNameHeadingText:
		return baseHeading * s
	case SizeNameTitleText:
		return baseTitle * s
	case SizeNameBodyText:
		return baseBody * s
	case SizeNameButtonText:
		return baseButton * s
	case SizeNameHotlineText:
		return baseHotline * s
	case SizeNameTouchTarget:
		return baseTouchTarget
	case fynetheme.SizeNamePadding:
		return basePadding
	case fynetheme.SizeNameInnerPadding:
		return baseInner
	case fynetheme.SizeNameLineSpacing:
		return baseLineSpacing
	case fynetheme.SizeNameInlineIcon:
		return baseIcon
	case fynetheme.SizeNameSeparatorThickness:
		if t.opts.HighContrast {
			return 2
		}
		return 1
	case fynetheme.SizeNameInputBorder:
		if t.opts.HighContrast {
			return 3
		}
		return 2
	case fynetheme.SizeNameInputRadius, fynetheme.SizeNameSelectionRadius:
		return 10
	case fynetheme.SizeNameScrollBar, fynetheme.SizeNameScrollBarSmall, fynetheme.SizeNameScrollBarRadius:
		return 0
	}
	return fynetheme.DefaultTheme().Size(n)
}
