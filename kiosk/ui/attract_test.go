package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestAttractBothLanguages: the attract loop shows each slide in Chinese,
// then in English, with "touch to start" in both all the time; a touch
// then starts the visit in Chinese, whatever the slide was in.
func TestAttractBothLanguages(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	sl := p.Attract[0]
	band := both("touch", "  ·  ")
	txt := k.text()
	if !strings.Contains(txt, sl.Title["zh-CN"]) || strings.Contains(txt, sl.Body["en"]) || !strings.Contains(txt, band) {
		t.Fatalf("first slide, first language:\n%s", txt)
	}
	k.clock.Advance(time.Duration(sl.Seconds) * time.Second)
	txt = k.text()
	if k.u.st.Slide != 0 || !strings.Contains(txt, sl.Body["en"]) || strings.Contains(txt, sl.Body["zh-CN"]) || !strings.Contains(txt, band) {
		t.Fatalf("first slide, in English (slide %d in %q):\n%s", k.u.st.Slide, k.u.st.SlideLang, txt)
	}
	k.wake()
	if k.screen() != flow.Home || k.u.st.Lang != "zh-CN" || !strings.Contains(k.text(), msg("zh-CN", "pick")) {
		t.Fatalf("a touch on the English slide: %s in %s", k.screen(), k.u.st.Lang)
	}
}

// TestHotlineReadsAsOne: the result's hotline card says what the number
// is for and to call it in one line ("Fire: call" over 119), not "In an
// emergency call / Fire / 119".
func TestHotlineReadsAsOne(t *testing.T) {
	fsys := os.DirFS(filepath.Join("testdata", "pack"))
	p, _ := content.Load(fsys)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	k.u.show(flow.State{Screen: flow.Result, Lang: "en", Module: 0, Branch: -1, InSession: true, Seq: 100})
	txt := k.text()
	if !strings.Contains(txt, "Fire: call\n") || !strings.Contains(txt, "119") || strings.Contains(txt, "In an emergency") {
		t.Errorf("hotline card:\n%s", txt)
	}
	k.u.show(flow.State{Screen: flow.Result, Lang: "zh-CN", Module: 0, Branch: -1, InSession: true, Seq: 101})
	if !strings.Contains(k.text(), "火警请拨打\n") {
		t.Errorf("hotline card:\n%s", k.text())
	}
	k.checkFit()
}
