package theme

import (
	"bytes"
	_ "embed"
	"unicode"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"
)

var (
	//go:embed fonts/NotoSansSC-Regular.otf
	regularOTF []byte
	//go:embed fonts/NotoSansSC-Bold.otf
	boldOTF []byte
)

// Regular and Bold are the bundled faces: Noto Sans CJK SC, subset by
// build/make-font.sh (SIL Open Font License 1.1, fonts/OFL.txt).
//
// They are Fyne's own default font resources with the bundled faces' bytes
// put in, and so are the italic, bold italic and monospace ones (there is
// no CJK italic or monospace face; those styles draw with these). Fyne's
// painter parses, for each text style, the theme's face and then Fyne's
// default face for that style as its fallback, unless the theme hands it
// that very resource (internal/painter/font.go, lookupFaces): with its
// own resources handed back, each style is one parsed face instead of two,
// and Fyne's Noto Sans (about 2 MB of parsed outlines per style, in the
// heap every collection marks) is never loaded. The bundled faces cover
// what the kiosk shows (Missing); for anything else the system fallback
// stays on (the kiosk's missingGlyphs).
var (
	Regular    = bundled(fynetheme.DefaultTextFont(), "NotoSansSC-Regular.otf", regularOTF)
	Bold       = bundled(fynetheme.DefaultTextBoldFont(), "NotoSansSC-Bold.otf", boldOTF)
	italic     = bundled(fynetheme.DefaultTextItalicFont(), "NotoSansSC-Regular.otf", regularOTF)
	boldItalic = bundled(fynetheme.DefaultTextBoldItalicFont(), "NotoSansSC-Bold.otf", boldOTF)
	monospace  = bundled(fynetheme.DefaultTextMonospaceFont(), "NotoSansSC-Regular.otf", regularOTF)
)

// bundled gives Fyne's resource r the bundled face's name and bytes. A Fyne
// whose defaults were no longer static resources would get a resource of
// their own: the kiosk would draw the same, with Fyne's faces parsed as
// fallbacks again.
func bundled(r fyne.Resource, name string, data []byte) fyne.Resource {
	if s, ok := r.(*fyne.StaticResource); ok {
		s.StaticName, s.StaticContent = name, data
		return s
	}
	return fyne.NewStaticResource(name, data)
}

// Missing returns the characters of s the bundled faces have no glyph for,
// each once, in order of first appearance; nil when they draw all of it.
// Control characters, spaces of any kind and the byte order mark are
// never missing (text layout does not draw them). Both faces cover the
// same characters (build/make-font.sh subsets them alike; the tests check
// it), so one answer holds for regular and bold.
func Missing(s string) []rune {
	cm := bundledCmap()
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if seen[r] || unicode.IsControl(r) || unicode.IsSpace(r) || r == '\uFEFF' {
			continue
		}
		seen[r] = true
		if cm == nil {
			out = append(out, r)
			continue
		}
		if _, ok := cm.Lookup(r); !ok {
			out = append(out, r)
		}
	}
	return out
}

// bundledCmap reads the character map of the bundled regular face (only
// that table: parsing the whole face would copy its 1.6 MB of outlines).
// Nil if it cannot be read, which the tests rule out.
func bundledCmap() font.Cmap {
	ld, err := opentype.NewLoader(bytes.NewReader(regularOTF))
	if err != nil {
		return nil
	}
	raw, err := ld.RawTable(opentype.MustNewTag("cmap"))
	if err != nil {
		return nil
	}
	tb, _, err := tables.ParseCmap(raw)
	if err != nil {
		return nil
	}
	cm, _, err := font.ProcessCmap(tb, 0)
	if err != nil {
		return nil
	}
	return cm
}
