package render

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
	"github.com/wufang-kiosk/wufang/kiosk/ui"
)

// SVG rasterising dominates the tests' time and is not what they check:
// small pictures, drawn once for every render of the tests.
var testOpts = Options{RasterCap: 200, Rasters: ui.NewRasters(0)}

func builtinPack(t testing.TB) (*content.Pack, fs.FS) {
	t.Helper()
	fsys := builtin.FS()
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatalf("load built-in pack: %v", err)
	}
	return p, fsys
}

// TestBuiltinPackFits draws every screen of the built-in pack at the
// smallest and largest screens, landscape and portrait, in both languages,
// and fails on anything that does not fit.
func TestBuiltinPackFits(t *testing.T) {
	p, fsys := builtinPack(t)
	test.NewTempApp(t)
	sizes := []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}, {Width: 480, Height: 800}, {Width: 1080, Height: 1920}}
	for _, size := range sizes {
		for _, lang := range p.Languages {
			mis, err := Render(p, fsys, size, lang, "", testOpts)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range mis {
				t.Errorf("%vx%v %s: %v", size.Width, size.Height, lang, m)
			}
		}
	}
}

// TestRenderReportsMisfits checks that the fit check finds what does not
// fit: at 400×240 the built-in pack's screens cannot hold their text.
func TestRenderReportsMisfits(t *testing.T) {
	p, fsys := builtinPack(t)
	test.NewTempApp(t)
	mis, err := Render(p, fsys, fyne.NewSize(400, 240), "en", "", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range mis {
		kinds[m.Kind]++
	}
	if kinds["clipped text"] == 0 || kinds["small touch target"] == 0 {
		t.Errorf("at 400x240 expected clipped text and small targets, got %v", kinds)
	}
}

func TestCommand(t *testing.T) {
	test.NewTempApp(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := command([]string{filepath.Join("..", "testdata", "pack"), "--size", "800x480", "--lang", "en", "--out", out}, &stdout, &stderr, testOpts)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "everything fits") {
		t.Errorf("stdout: %s", stdout.String())
	}
	idx, err := os.ReadFile(filepath.Join(out, "index.txt"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := content.Load(os.DirFS(filepath.Join("..", "testdata", "pack")))
	lines := strings.Split(strings.TrimSpace(string(idx)), "\n")
	if len(lines) != len(ui.Shots(p, "en")) {
		t.Errorf("%d screens drawn, want %d", len(lines), len(ui.Shots(p, "en")))
	}
	for _, name := range []string{"contact.png", "001-attract-1.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Too small a window: exit 1 and a list of misfits.
	stdout.Reset()
	if code := command([]string{"--size", "320x240", filepath.Join("..", "testdata", "pack"), "--out", t.TempDir()}, &stdout, &stderr, testOpts); code != 1 {
		t.Errorf("at 320x240: exit %d, want 1\n%s", code, stdout.String())
	}
	if !strings.Contains(stdout.String(), "do not fit") {
		t.Errorf("no misfit list:\n%s", stdout.String())
	}
	for _, args := range [][]string{{}, {"--size", "big", "x"}, {filepath.Join("..", "testdata", "nothing-here")}, {"--bogus", "x"}} {
		stderr.Reset()
		if code := command(args, &stdout, &stderr, testOpts); code != 2 || !strings.Contains(stderr.String(), "render") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "render: flag provided but not defined: -bogus\nusage: render PACK") {
		t.Errorf("a wrong flag: stderr %q, want the error and the usage", stderr.String())
	}
	// --help (as `wufang-kiosk help render` asks) is not a mistake.
	for _, h := range []string{"--help", "-h"} {
		stdout.Reset()
		stderr.Reset()
		if code := command([]string{h}, &stdout, &stderr, testOpts); code != 0 || !strings.HasPrefix(stdout.String(), "usage: render PACK") ||
			!strings.Contains(stdout.String(), "--size WxH") || stderr.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", h, code, stdout.String(), stderr.String())
		}
	}
}

// TestRenderDev draws the built-in pack at full picture size for a look:
// WUFANG_RENDER_DIR=/tmp/r WUFANG_SIZE=1920x1080 WUFANG_LANG=en go test -run TestRenderDev
func TestRenderDev(t *testing.T) {
	out := os.Getenv("WUFANG_RENDER_DIR")
	if out == "" {
		t.Skip("set WUFANG_RENDER_DIR")
	}
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	p, err := content.Load(builtin.FS())
	if err != nil {
		t.Fatal(err)
	}
	size, err := parseSize(os.Getenv("WUFANG_SIZE"))
	if err != nil {
		size = fyne.NewSize(800, 480)
	}
	mis, err := Render(p, builtin.FS(), size, os.Getenv("WUFANG_LANG"), out, Options{RasterCap: 800})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Log(m)
	}
}
