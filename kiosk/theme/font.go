package theme

import (
	"bytes"
	_ "embed"
	"unicode"

	"fyne.io/fyne/v2"
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
var (
	Regular fyne.Resource = fyne.NewStaticResource("NotoSansSC-Regular.otf", regularOTF)
	Bold    fyne.Resource = fyne.NewStaticResource("NotoSansSC-Bold.otf", boldOTF)
)

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
