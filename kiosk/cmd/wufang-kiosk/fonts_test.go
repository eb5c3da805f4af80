package main

import (
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/config"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// TestNoSystemFonts: after noSystemFonts, two characters the bundled faces
// lack draw the same (the replacement box: no system face drew them), for
// regular and bold text, the environment is as it was, and no font index
// was written; without it (the control) the system's CJK face draws them
// differently, so the comparison can tell. fontscan scans once a process,
// so each part runs in a fresh one.
func TestNoSystemFonts(t *testing.T) {
	if part := os.Getenv("WUFANG_NO_SYSTEM_FONTS_CHILD"); part != "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		a := test.NewTempApp(t)
		a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
		if part == "off" {
			noSystemFonts()
			if got := os.Getenv("XDG_CACHE_HOME"); got != cache {
				t.Fatalf("XDG_CACHE_HOME is %q after noSystemFonts, want %q back", got, cache)
			}
		}
		for _, bold := range []bool{false, true} {
			d := differingPixels(renderText(t, "丂", bold), renderText(t, "丄", bold))
			if part == "off" && d != 0 {
				t.Errorf("bold %v: 丂 and 丄 differ in %d pixels: a system face drew them", bold, d)
			}
			if part == "on" && d == 0 {
				t.Errorf("bold %v: 丂 and 丄 draw the same with the system fonts on: the test cannot tell", bold)
			}
		}
		return
	}
	if fonts, _ := filepath.Glob("/usr/share/fonts/opentype/noto/NotoSansCJK*"); len(fonts) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no Noto Sans CJK under /usr/share/fonts: install fonts-noto-cjk")
		}
		t.Skip("no Noto Sans CJK under /usr/share/fonts (fonts-noto-cjk)")
	}
	for _, part := range []string{"off", "on"} {
		cache := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoSystemFonts$", "-test.v")
		cmd.Env = append(os.Environ(), "WUFANG_NO_SYSTEM_FONTS_CHILD="+part, "XDG_CACHE_HOME="+cache, "LANG=zh_CN.UTF-8")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestNoSystemFonts") {
			t.Fatalf("%s, in a fresh process: %v\n%s", part, err, out)
		}
		index, _ := filepath.Glob(filepath.Join(cache, "font_index_v*.cache"))
		if part == "off" && len(index) > 0 {
			t.Errorf("a font index was written with the system fonts off: %v", index)
		}
	}
}

// TestMissingGlyphs: the built-in pack needs no system font (so the kiosk
// runs with the fallback off); a pack whose module has a character the
// bundled faces lack needs one, and so does a site name with one.
func TestMissingGlyphs(t *testing.T) {
	if m := missingGlyphs(builtin.FS(), "福田区安全宣教中心", "kiosk-1"); m != nil {
		t.Errorf("built-in pack: missing %q, want nothing", string(m))
	}
	pack := fstest.MapFS{
		"pack.yaml":         {Data: []byte("id: test\ntitle: {zh-CN: 五防}\n")},
		"modules/fire.yaml": {Data: []byte("title: {zh-CN: 丂火}\n")},
		"media/a.svg":       {Data: []byte("<svg>丄</svg>")}, // not text the kiosk shows
	}
	if got := string(missingGlyphs(pack, "site")); got != "丂" {
		t.Errorf("pack with 丂 in a module: missing %q, want 丂", got)
	}
	if got := string(missingGlyphs(fstest.MapFS{}, "丅site")); got != "丅" {
		t.Errorf("site name with 丅: missing %q, want 丅", got)
	}
}

func renderText(t *testing.T, s string, bold bool) image.Image {
	t.Helper()
	txt := canvas.NewText(s, color.Black)
	txt.TextSize = 64
	txt.TextStyle.Bold = bold
	w := test.NewTempWindow(t, container.NewStack(canvas.NewRectangle(color.White), container.NewCenter(txt)))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(200, 100))
	return w.Canvas().Capture()
}

func differingPixels(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb {
				n++
			}
		}
	}
	return n
}

// TestNeedsFontRestart: a pack with a character the bundled faces lack
// restarts a kiosk that started with the system fonts off, and only that
// one; a covered pack restarts neither.
func TestNeedsFontRestart(t *testing.T) {
	uncovered := fstest.MapFS{"pack.yaml": {Data: []byte("title: {zh-CN: 丂}\n")}}
	off := &kiosk{cfg: &config.Config{Site: "site", Device: "kiosk-1"}}
	on := &kiosk{cfg: off.cfg, missing: []rune("丄")}
	if got := string(off.needsFontRestart(uncovered)); got != "丂" {
		t.Errorf("fallback off, uncovered pack: %q, want 丂", got)
	}
	if got := on.needsFontRestart(uncovered); got != nil {
		t.Errorf("fallback on, uncovered pack: %q, want no restart", string(got))
	}
	if got := off.needsFontRestart(builtin.FS()); got != nil {
		t.Errorf("fallback off, built-in pack: %q, want no restart", string(got))
	}
}
