package ui

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden renders every screen of the test pack (every screen type,
// answered and not) at 800×480 and compares its markup with
// testdata/golden; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
		for _, sh := range Shots(p, lang) {
			k.u.show(sh.State)
			got := test.RenderToMarkup(k.w.Canvas())
			name := filepath.Join("testdata", "golden", lang, sh.Name+".xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Errorf("%s: %v (run go test -run TestGolden -update)", sh.Name, err)
				continue
			}
			if got != string(want) {
				t.Errorf("%s/%s renders differently from %s (run with -update if the change is intended)", lang, sh.Name, name)
			}
		}
	}
}

// TestLongLessonPaginates: a body too long for the screen is split into
// pages; Next turns them and only then goes on.
func TestLongLessonPaginates(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.wake()
	k.tap("tile-0")
	k.tap("next") // lesson 1
	if k.u.st.StepIdx != 1 {
		t.Fatalf("on step %d, want the long lesson", k.u.st.StepIdx)
	}
	var body *textBlock
	walkUI(k.u.host, func(o fyne.CanvasObject) {
		if tb, ok := o.(*textBlock); ok && tb.paginate {
			body = tb
		}
	})
	if body == nil || body.pages < 2 {
		t.Fatalf("long lesson not paginated: %+v", body)
	}
	if !strings.Contains(k.text(), msg("zh-CN", "page", 1, body.pages)) || !strings.Contains(k.text(), msg("zh-CN", "more")) {
		t.Errorf("no page indicator or 'more':\n%s", k.text())
	}
	for i := 1; i < body.pages; i++ {
		test.Tap(k.boxes()["next"])
		if k.u.st.StepIdx != 1 || body.page != i {
			t.Fatalf("tap %d: step %d page %d", i, k.u.st.StepIdx, body.page)
		}
	}
	k.checkFit()
	k.tap("next")
	if k.u.st.StepIdx != 2 {
		t.Errorf("after the last page: step %d, want 2", k.u.st.StepIdx)
	}
}

// TestPanicGoesToAttract: a screen that panics is logged and the kiosk
// goes back to the attract loop.
func TestPanicGoesToAttract(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	p.Mods[1].Steps[0].Type = "bogus" // no screen for it
	var logs bytes.Buffer
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.u.log = slog.New(slog.NewTextHandler(&logs, nil))
	k.wake()
	if k.screen() != flow.Home {
		t.Fatalf("on %s", k.screen())
	}
	test.Tap(k.boxes()["tile-1"])
	if k.screen() != flow.Attract {
		t.Errorf("after a panicking screen: %s, want attract", k.screen())
	}
	if !strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), "bogus") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	// A panicking tap handler too.
	k.wake()
	k.u.guard("test", func() { panic(errors.New("boom")) })
	if k.screen() != flow.Attract {
		t.Errorf("after a panicking tap: %s, want attract", k.screen())
	}
	// And the kiosk still works.
	k.wake()
	k.tap("tile-0")
	if k.screen() != flow.Step {
		t.Errorf("after recovering: %s", k.screen())
	}
}

// TestStillThere: idle shows the overlay with its countdown; a tap on it
// carries on; doing nothing ends the visit.
func TestStillThere(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.wake()
	k.tap("tile-0")
	k.clock.Advance(61 * time.Second)
	if !k.u.st.StillThere || !strings.Contains(k.text(), msg("zh-CN", "still")) {
		t.Fatalf("no overlay after 61 s idle:\n%s", k.text())
	}
	k.clock.Advance(3 * time.Second)
	if !strings.Contains(k.text(), fmt.Sprint(k.u.st.Countdown)) || k.u.st.Countdown > 8 {
		t.Errorf("countdown %d not shown:\n%s", k.u.st.Countdown, k.text())
	}
	k.checkFit()
	k.tap("still")
	if k.u.st.StillThere || k.screen() != flow.Step {
		t.Fatalf("after tapping the overlay: %s still=%v", k.screen(), k.u.st.StillThere)
	}
	k.clock.Advance(61 * time.Second)
	k.clock.Advance(11 * time.Second)
	if k.screen() != flow.Attract {
		t.Errorf("after the countdown: %s, want attract", k.screen())
	}
}

// TestLanguageEverywhere: the switch on a step screen turns the whole
// screen, the kiosk's words and the pack's, into the other language.
func TestLanguageEverywhere(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.wake()
	k.tap("tile-0")
	if !strings.Contains(k.text(), "怎样拨打119") || !strings.Contains(k.text(), "下一步") {
		t.Fatalf("not Chinese:\n%s", k.text())
	}
	k.tap("lang")
	txt := k.text()
	if !strings.Contains(txt, "How to call 119") || !strings.Contains(txt, "Next") || !strings.Contains(txt, "Step 1 of") {
		t.Errorf("not English after the switch:\n%s", txt)
	}
	if strings.Contains(txt, "下一步") {
		t.Errorf("Chinese left after the switch:\n%s", txt)
	}
	k.tap("lang")
	if !strings.Contains(k.text(), "下一步") {
		t.Errorf("not back to Chinese:\n%s", k.text())
	}
}

// TestWarm: the attract pictures and module icons are drawn ahead, so
// showing them later finds them ready.
func TestWarm(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	paths := warmPaths(p)
	if len(paths) < 2 {
		t.Fatal("built-in pack has too few attract pictures and icons for this test")
	}
	cold := 0
	for _, path := range paths {
		if a := k.u.media.get(path); a != nil && a.px == nil {
			cold++
		}
	}
	if cold == 0 {
		t.Fatal("every picture already drawn before Warm: the test shows nothing")
	}
	// As the kiosk does: on its own goroutine, while screens are built.
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.u.Warm(context.Background(), fyne.NewSize(800, 480))
	}()
	for _, sh := range Shots(p, "zh-CN")[:4] {
		k.u.show(sh.State)
	}
	<-done
	for _, path := range paths {
		if a := k.u.media.get(path); a == nil || a.px == nil {
			t.Errorf("%s not drawn ahead", path)
		}
	}
}

// A picture drawn for a small window is drawn again, bigger, for a bigger
// one, rather than scaled up blurred; a smaller window reuses the big one.
func TestPicturesFollowTheWindow(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKioskWith(t, p, fsys, fyne.NewSize(800, 480), Options{RasterCap: 800})
	path := p.Attract[0].Image
	a := k.u.media.get(path)
	if a == nil || !a.svg {
		t.Fatalf("%s: want an SVG picture", path)
	}
	small := k.u.media.pixels(a, fyne.NewSize(400, 240))
	big := k.u.media.pixels(a, fyne.NewSize(1200, 720))
	if small == nil || big == nil {
		t.Fatal("picture not drawn")
	}
	if big.Bounds().Dx() <= small.Bounds().Dx() {
		t.Fatalf("for a bigger window: %v, was %v", big.Bounds(), small.Bounds())
	}
	if again := k.u.media.pixels(a, fyne.NewSize(800, 480)); again != big {
		t.Errorf("smaller window drew again: %v", again.Bounds())
	}
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"过马路，要看车。", []string{"过", "马", "路，", "要", "看", "车。"}},
		{"Stop on red, go", []string{"Stop ", "on ", "red, ", "go"}},
		{"同学说：“没车”", []string{"同", "学", "说：", "“没", "车”"}},
		{"拨打119报警", []string{"拨", "打", "119", "报", "警"}},
		{"“没车”说", []string{"“没", "车”", "说"}},
		{"（注意）安全", []string{"（注", "意）", "安", "全"}},
		{"火灾……快跑！", []string{"火", "灾……", "快", "跑！"}},
		{"a well-known rule", []string{"a ", "well-", "known ", "rule"}},
		{"", nil},
	} {
		got := tokens(c.in)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTapAt: a tap handed over by position (from the staff corner, which
// lies over the Home button) reaches the object under it.
func TestTapAt(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.u.TapAt(fyne.NewPos(400, 240)) // anywhere on attract
	k.settle()
	if k.screen() != flow.Home {
		t.Fatalf("tap on attract: %s, want home", k.screen())
	}
	tile := k.boxes()["tile-1"]
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	k.u.TapAt(pos.AddXY(10, 10))
	if k.screen() != flow.Step || k.u.st.Module != 1 {
		t.Fatalf("tap on tile 1: %s module %d", k.screen(), k.u.st.Module)
	}
	home := k.boxes()["home"]
	pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(home)
	if pos.X > 80 || pos.Y > 80 {
		t.Logf("home button at %v, outside the staff corner", pos)
	}
	k.u.TapAt(pos.AddXY(5, 5))
	if k.screen() != flow.Home {
		t.Errorf("tap on home: %s, want home", k.screen())
	}
}

// Shown is called once, after the first screen built at the window's real
// size (not Fyne's 100×100 first layout), however many screens follow.
func TestShownOnce(t *testing.T) {
	p, fsys := builtinPack(t)
	test.NewTempApp(t)
	m := flow.New(p, flow.Options{Clock: flowtest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))})
	t.Cleanup(m.Close)
	calls := 0
	var builtAt fyne.Size
	var u *UI
	u = New(m, Options{FS: fsys, RasterCap: testRasterCap, Rasters: testRasters, Shown: func() { calls++; builtAt = u.host.built }})
	w := test.NewTempWindow(t, nil)
	u.Load(w)
	if calls != 0 {
		t.Fatalf("Shown called %d times before the window had a real size", calls)
	}
	w.Resize(fyne.NewSize(800, 480))
	for _, sh := range Shots(p, "en")[:3] {
		u.show(sh.State)
	}
	if calls != 1 || builtAt.Width < minBuild {
		t.Fatalf("Shown called %d times, first screen built at %v", calls, builtAt)
	}
}
