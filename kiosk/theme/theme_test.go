package theme

import (
	"bytes"
	"flag"
	"go/scanner"
	"go/token"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var pngDir = flag.String("png", "", "also write the rendered test images to this folder, to look at")

// TestMain cuts Fyne off from the machine's fonts: with no usable cache
// folder, go-text's fontscan refuses to index system fonts and Fyne renders
// with the theme's faces alone. Without this a missing glyph would quietly
// come from an installed Noto CJK and the rendering tests could not fail.
func TestMain(m *testing.M) {
	os.Setenv("XDG_CACHE_HOME", "relative-so-fontscan-cannot-cache")
	os.Exit(m.Run())
}

func parseFace(t *testing.T, data []byte) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse bundled font: %v", err)
	}
	return f
}

// gb2312Hanzi decodes GB2312's hanzi rows (0xB0–0xF7, cells 0xA1–0xFE).
func gb2312Hanzi(t *testing.T) []rune {
	t.Helper()
	dec := simplifiedchinese.GBK.NewDecoder()
	var out []rune
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			if hi == 0xD7 && lo >= 0xFA { // the five empty cells of GB2312
				continue
			}
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				t.Fatalf("decode %X%X: %v", hi, lo, err)
			}
			r := []rune(string(s))
			if len(r) != 1 || r[0] == unicode.ReplacementChar {
				t.Fatalf("decode %X%X: got %q", hi, lo, s)
			}
			out = append(out, r[0])
		}
	}
	return out
}

func missing(face *font.Face, runes []rune) []string {
	var miss []string
	seen := map[rune]bool{}
	for _, r := range runes {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, ok := face.NominalGlyph(r); !ok {
			miss = append(miss, string(r)+" "+strconv.QuoteRuneToASCII(r))
		}
	}
	sort.Strings(miss)
	return miss
}

const punctuation = "，。、；：？！“”‘’（）《》〈〉【】「」『』—…·～￥％＋－×÷≤≥°①②③④⑤" +
	"→←↑↓★☆○●□■△▲※　" + "àáâäçèéêëìíîïñòóôöùúûü¿¡«»©®"

func TestFontsCoverGB2312AndLatin(t *testing.T) {
	hanzi := gb2312Hanzi(t)
	if len(hanzi) != 6763 {
		t.Fatalf("GB2312 has 6763 hanzi, decoded %d", len(hanzi))
	}
	var latin []rune
	for r := rune(0x20); r < 0x7f; r++ {
		latin = append(latin, r)
	}
	for name, data := range map[string][]byte{"Regular": regularOTF, "Bold": boldOTF} {
		face := parseFace(t, data)
		if m := missing(face, hanzi); len(m) > 0 {
			t.Errorf("%s lacks %d GB2312 hanzi: %v", name, len(m), m[:min(len(m), 20)])
		}
		if m := missing(face, append(latin, []rune(punctuation)...)); len(m) > 0 {
			t.Errorf("%s lacks %v", name, m)
		}
	}
}

// repoRoot is the module root, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the package folder: %v", err)
	}
	return root
}

// TestFontsCoverContentPacks checks every character of every content pack in
// the repository (content/**/*.yaml) and of the kiosk's own string literals.
// When it fails, rerun build/make-font.sh and commit the new fonts.
func TestFontsCoverContentPacks(t *testing.T) {
	root := repoRoot(t)
	used := map[rune][]string{}
	add := func(s, where string) {
		for _, r := range s {
			if unicode.IsControl(r) || r == unicode.ReplacementChar || r == '\uFEFF' {
				continue
			}
			if len(used[r]) < 3 {
				used[r] = append(used[r], where)
			}
		}
	}
	packs := 0
	err := filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		packs++
		rel, _ := filepath.Rel(root, p)
		add(string(b), rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// String literals of the kiosk's Go code ("还在吗?" and the like).
	literals := 0
	for _, dir := range []string{"kiosk"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			fset := token.NewFileSet()
			var s scanner.Scanner
			s.Init(fset.AddFile(p, -1, len(src)), src, nil, 0)
			for {
				pos, tok, lit := s.Scan()
				if tok == token.EOF {
					break
				}
				if tok != token.STRING && tok != token.CHAR {
					continue
				}
				if v, err := strconv.Unquote(lit); err == nil {
					literals++
					add(v, rel+":"+strconv.Itoa(fset.Position(pos).Line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("checked %d distinct characters from %d pack files and %d kiosk string literals", len(used), packs, literals)
	for name, data := range map[string][]byte{"Regular": regularOTF, "Bold": boldOTF} {
		face := parseFace(t, data)
		for r, where := range used {
			if _, ok := face.NominalGlyph(r); !ok {
				t.Errorf("%s lacks %q (U+%04X), used in %s: rerun build/make-font.sh", name, r, r, strings.Join(where, ", "))
			}
		}
	}
}

// render draws s in the kiosk theme on a white canvas and returns the image.
func render(t *testing.T, s string, bold bool) *image.NRGBA {
	t.Helper()
	txt := canvas.NewText(s, color.Black)
	txt.TextSize = 64
	txt.TextStyle.Bold = bold
	bg := canvas.NewRectangle(color.White)
	w := test.NewTempWindow(t, container.NewStack(bg, container.NewCenter(txt)))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(200, 100))
	img := w.Canvas().Capture()
	out := image.NewNRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	if *pngDir != "" {
		name := "bold-"
		if !bold {
			name = "regular-"
		}
		for _, r := range s {
			name += strconv.FormatInt(int64(r), 16)
		}
		savePNG(t, filepath.Join(*pngDir, name+".png"), out)
	}
	return out
}

func savePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mask is the set of inked pixels (darker than mid-grey).
func mask(img *image.NRGBA) []bool {
	m := make([]bool, 0, len(img.Pix)/4)
	for i := 0; i < len(img.Pix); i += 4 {
		y := (299*int(img.Pix[i]) + 587*int(img.Pix[i+1]) + 114*int(img.Pix[i+2])) / 1000
		m = append(m, y < 128)
	}
	return m
}

func inked(m []bool) int {
	n := 0
	for _, b := range m {
		if b {
			n++
		}
	}
	return n
}

func differ(a, b []bool) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

func TestRendersHanziNotBoxes(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(New(Options{}))

	face := parseFace(t, regularOTF)
	// Negative control: two hanzi outside GB2312 that the subset lacks must
	// render the same (the replacement box), proving the comparison below
	// can tell a box from a glyph.
	var absent []rune
	for _, r := range []rune("丂丄丅丆丏丒丗丟") {
		if _, ok := face.NominalGlyph(r); !ok {
			absent = append(absent, r)
		}
	}
	if len(absent) < 2 {
		t.Fatalf("control characters unexpectedly covered by the subset: %q", absent)
	}
	box1, box2 := mask(render(t, string(absent[0]), false)), mask(render(t, string(absent[1]), false))
	if d := differ(box1, box2); d != 0 {
		t.Fatalf("two missing glyphs render differently (%d pixels): the system font fallback is active, the test cannot detect boxes", d)
	}

	samples := []string{"火", "警", "防", "骗", "毒", "灾", "交", "通", "安", "全"}
	for _, bold := range []bool{false, true} {
		masks := make([][]bool, len(samples))
		for i, s := range samples {
			masks[i] = mask(render(t, s, bold))
			if n := inked(masks[i]); n < 150 {
				t.Errorf("%s (bold %v) has almost no ink: %d pixels", s, bold, n)
			}
			if d := differ(masks[i], box1); d < 300 {
				t.Errorf("%s (bold %v) looks like the replacement box (%d pixels differ)", s, bold, d)
			}
			for j := range i {
				if d := differ(masks[i], masks[j]); d < 200 {
					t.Errorf("%s and %s (bold %v) render almost alike (%d pixels differ)", samples[j], s, bold, d)
				}
			}
		}
	}
	// Bold must be a heavier face, not the regular one again.
	if r, b := inked(mask(render(t, "安全", false))), inked(mask(render(t, "安全", true))); b < r*11/10 {
		t.Errorf("bold 安全 has %d inked pixels, regular %d: bold face not used", b, r)
	}
	// A whole line, for people to look at with -png.
	if *pngDir != "" {
		w := test.NewTempWindow(t, container.NewStack(canvas.NewRectangle(New(Options{}).Color(fynetheme.ColorNameBackground, 0)),
			container.NewVBox(
				canvas.NewText("五防安全体验 · 消防 119 · 反诈 96110", color.Black),
				&canvas.Text{Text: "还在吗？Still there? 你是今天第 12 位体验者", Color: color.Black, TextSize: 22, TextStyle: fyne.TextStyle{Bold: true}},
			)))
		w.Resize(fyne.NewSize(640, 110))
		savePNG(t, filepath.Join(*pngDir, "line.png"), w.Canvas().Capture())
	}
}

// TestMissing: Missing names exactly the characters the bundled faces
// lack, once each, and never spaces or control characters; both faces
// cover the same characters, so its one answer holds for bold too.
func TestMissing(t *testing.T) {
	if m := Missing("五防体验 Five-prevention room，请触摸！\n\t\u3000“交通”"); m != nil {
		t.Errorf("Missing of covered text = %q, want nil", m)
	}
	face := parseFace(t, regularOTF)
	var absent []rune
	for _, r := range "丂丄丅丆丏丒丗丟" {
		if _, ok := face.NominalGlyph(r); !ok {
			absent = append(absent, r)
		}
	}
	if len(absent) < 2 {
		t.Fatalf("control characters unexpectedly covered by the subset: %q", absent)
	}
	s := "火" + string(absent[1]) + " 警" + string(absent[0]) + string(absent[1])
	if got, want := string(Missing(s)), string(absent[1])+string(absent[0]); got != want {
		t.Errorf("Missing(%q) = %q, want %q", s, got, want)
	}

	bold := parseFace(t, boldOTF)
	regularRunes, boldRunes := runesOf(face), runesOf(bold)
	if len(regularRunes) < 7000 || !slices.Equal(regularRunes, boldRunes) {
		t.Errorf("regular face covers %d characters, bold %d, not the same set", len(regularRunes), len(boldRunes))
	}
}

// TestFontsAreFynesFallbacks: for each style Fyne's painter looks up, the
// theme hands back the very resource Fyne falls back to for that style,
// holding the bundled face, so the painter parses one face per style and
// never its own Noto Sans (font.go). Bold monospace stays bold.
func TestFontsAreFynesFallbacks(t *testing.T) {
	th := New(Options{})
	for _, c := range []struct {
		name     string
		style    fyne.TextStyle
		fallback fyne.Resource
		data     []byte
	}{
		{"regular", fyne.TextStyle{}, fynetheme.DefaultTextFont(), regularOTF},
		{"bold", fyne.TextStyle{Bold: true}, fynetheme.DefaultTextBoldFont(), boldOTF},
		{"italic", fyne.TextStyle{Italic: true}, fynetheme.DefaultTextItalicFont(), regularOTF},
		{"bold italic", fyne.TextStyle{Bold: true, Italic: true}, fynetheme.DefaultTextBoldItalicFont(), boldOTF},
		{"monospace", fyne.TextStyle{Monospace: true}, fynetheme.DefaultTextMonospaceFont(), regularOTF},
		{"bold monospace", fyne.TextStyle{Monospace: true, Bold: true}, fynetheme.DefaultTextBoldFont(), boldOTF},
	} {
		got := th.Font(c.style)
		if got != c.fallback {
			t.Errorf("%s: Font is %q, not Fyne's fallback resource for the style (%q)", c.name, got.Name(), c.fallback.Name())
		}
		if !bytes.Equal(got.Content(), c.data) {
			t.Errorf("%s: Font %q does not hold the bundled face", c.name, got.Name())
		}
	}
}

func runesOf(f *font.Face) []rune {
	var out []rune
	it := f.Cmap.Iter()
	for it.Next() {
		r, _ := it.Char()
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}
