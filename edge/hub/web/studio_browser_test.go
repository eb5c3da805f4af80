package web

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/wufang-kiosk/wufang/content"
)

// field selects a studio input (or textarea) by its form name.
func field(tag, name string) string { return fmt.Sprintf(`%s[name=%q]`, tag, name) }

// typeInto empties the field as a select-all and delete would, then types
// text key by key (each an input event, as a person's).
func (b *browser) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){var e=document.querySelector(%q); e.focus(); e.value=''; e.dispatchEvent(new Event('input', {bubbles: true}));})()`, sel)))
	if text != "" {
		b.do(t, chromedp.SendKeys(chromedp.CSS(sel), text))
	}
}

// fetch downloads the link sel points at in the page, with the page's
// cookies, and returns the bytes the browser got.
func (b *browser) fetch(t *testing.T, sel string) []byte {
	t.Helper()
	js := fmt.Sprintf(`fetch(document.querySelector(%q).href, {credentials: 'same-origin'}).then(r => r.arrayBuffer()).then(buf => {
		const u = new Uint8Array(buf); let s = '';
		for (let i = 0; i < u.length; i += 8192) { s += String.fromCharCode.apply(null, u.subarray(i, i + 8192)); }
		return btoa(s); })`, sel)
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download %s: %v", sel, err)
	}
	data, err := base64.StdEncoding.DecodeString(out)
	if err != nil || len(data) < 1000 {
		t.Fatalf("download %s: %d bytes, %v", sel, len(data), err)
	}
	return data
}

// render draws every screen of the pack at 800x480 in English with the
// kiosk's renderer, built from this repository (the hub never imports
// the kiosk; it runs the binary, as wufang-pack render does).
func render(t *testing.T, pack string) {
	t.Helper()
	bin := buildRenderer(t)
	out := t.TempDir()
	cmd := exec.Command(bin, pack, "--size", "800x480", "--lang", "en", "--out", out)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wufang-render: %v\n%s", err, msg)
	}
	shots, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(shots) < 20 {
		t.Fatalf("wufang-render drew %d screens:\n%s", len(shots), msg)
	}
	t.Logf("wufang-render drew %d screens of the downloaded pack: %s", len(shots), strings.TrimSpace(string(msg)))
	if d := os.Getenv("WUFANG_SCREENSHOTS"); d != "" {
		for _, s := range shots {
			if strings.Contains(s, "fire") {
				b, _ := os.ReadFile(s)
				os.WriteFile(filepath.Join(d, "render-"+filepath.Base(s)), b, 0o644)
			}
		}
	}
}

// buildRenderer builds kiosk/cmd/wufang-render from this repository.
func buildRenderer(t *testing.T) string {
	t.Helper()
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "wufang-render")
	build := exec.Command("go", "build", "-o", bin, "./kiosk/cmd/wufang-render")
	build.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build wufang-render: %v\n%s", err, out)
	}
	return bin
}

func (b *browser) waitJS(t *testing.T, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.getElementById("live-check")||{}).textContent + " / left: " + (document.getElementById("live-left")||{}).textContent + " / errors: " + (document.getElementById("n-errors")||{}).textContent`))
		b.mu.Lock()
		defer b.mu.Unlock()
		t.Fatalf("%s: %v (the check reads %q; browser errors %q)", what, err, state, b.errors)
	}
}

// TestStudioBrowser drives the studio in chromium as a staff member who
// has never seen YAML: start a draft from the built-in pack, change a
// question in both languages, see the problem the validator finds while
// typing and fix it, draw a hotspot on the picture; each step a
// screenshot.
func TestStudioBrowser(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	key, err := content.GenerateKey(rand.Reader, "test centre")
	if err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(t.TempDir(), "studio.key")
	kb, _ := key.MarshalText()
	os.WriteFile(kf, kb, 0o600)
	f.web.opts.Studio.Trusted, f.web.opts.Studio.SigningKeyFile, f.web.opts.Studio.PacksDir = []content.PublicKey{key.Public()}, kf, t.TempDir()
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("user"), testEditor), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("nav-studio")),
		chromedp.Click(chromedp.ID("nav-studio")), chromedp.WaitVisible(chromedp.ID("start-form")))
	b.shot(t, "studio-1-index")
	b.do(t, chromedp.SendKeys(chromedp.ID("draft-name"), "Spring fair"), chromedp.Click(chromedp.ID("start")),
		chromedp.WaitVisible(chromedp.ID("modules")))
	b.shot(t, "studio-2-pack")
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	id := loc[strings.LastIndex(loc, "/")+1:]
	b.do(t, chromedp.Click(chromedp.ID("mod-fire")), chromedp.WaitVisible(chromedp.ID("steps")))
	b.shot(t, "studio-3-module")

	// A question in both languages; the English emptied first: the
	// validator's problem shows beside it as soon as it is typed.
	b.do(t, chromedp.Click(chromedp.CSS("#step-1 a")), chromedp.WaitVisible(chromedp.ID("studio-step")))
	zh, en := field("textarea", "f:modules/fire.yaml|steps[1].prompt.zh-CN"), field("textarea", "f:modules/fire.yaml|steps[1].prompt.en")
	b.typeInto(t, zh, "楼里着火了，你在8楼。怎样最安全地下楼？")
	b.typeInto(t, en, "")
	enLive := `document.querySelector('[data-key="steps[1].prompt"]').querySelector(':scope > .live')`
	b.waitJS(t, "the missing English is shown", enLive+`.textContent.indexOf('has no en text') >= 0`)
	if got := b.text(t, "#n-errors b"); got != "1" {
		t.Errorf("the error count reads %q", got)
	}
	b.do(t, chromedp.ScrollIntoView(chromedp.CSS(en)))
	b.shot(t, "studio-4-problem-shown")
	b.typeInto(t, en, "The building is on fire and you are on the 8th floor. What is the safest way down?")
	b.waitJS(t, "the problem goes once fixed", enLive+`.textContent === '' && document.querySelector('#n-errors b').textContent === '0'`)
	b.shot(t, "studio-5-problem-fixed")
	b.do(t, chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("saved")))
	r, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
	p, err := r.Files.Load()
	if err != nil {
		t.Fatal(err)
	}
	if q := p.Mods[1].Steps[1].Prompt; q["zh-CN"] != "楼里着火了，你在8楼。怎样最安全地下楼？" || q["en"] != "The building is on fire and you are on the 8th floor. What is the safest way down?" || r.Author != testEditor {
		t.Errorf("saved: %v by %s", q, r.Author)
	}

	// The same page in Chinese.
	b.do(t, chromedp.Navigate(base+"/studio/d/"+id+"/m/fire/s/1?lang=zh"), chromedp.WaitVisible(chromedp.ID("studio-step")))
	if got := b.text(t, "#save"); got != ZH.T("studio.save") {
		t.Errorf("the Chinese page's save button reads %q", got)
	}
	b.shot(t, "studio-5b-step-zh")

	// Draw the first target of the kitchen hotspot.
	b.do(t, chromedp.Navigate(fmt.Sprintf("%s/studio/d/%s/m/fire/s/9?lang=en", base, id)), chromedp.WaitVisible(chromedp.ID("hs-img")))
	b.waitJS(t, "the picture loads", `document.getElementById('hs-img').complete && document.getElementById('hs-img').naturalWidth > 0`)
	box, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`(function(){var e=document.getElementById('hs-img'); e.scrollIntoView(); var r=e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];})()`))
	if err != nil {
		t.Fatal(err)
	}
	x0, y0, w, h := box[0], box[1], box[2], box[3]
	b.do(t, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0+0.1*w, y0+0.2*h, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0+0.2*w, y0+0.3*h, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0+0.3*w, y0+0.45*h, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x0+0.3*w, y0+0.45*h, chromedp.ButtonLeft))
	xName := "f:modules/fire.yaml|steps[9].targets[0].x"
	b.waitJS(t, "the drawn rectangle is in the fields", fmt.Sprintf(`document.querySelector(%q).value === '0.1'`, field("input", xName)))
	b.shot(t, "studio-6-hotspot-drawn")
	b.do(t, chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("saved")))
	r, _ = f.web.opts.Studio.Store.Revision(ctx, id, 0)
	p, _ = r.Files.Load()
	tg := p.Mods[1].Steps[9].Targets[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"x", tg.X, 0.1}, {"y", tg.Y, 0.2}, {"w", tg.W, 0.2}, {"h", tg.H, 0.25}} {
		if math.Abs(c.got-c.want) > 0.005 {
			t.Errorf("target %s = %s, want %v", c.name, strconv.FormatFloat(c.got, 'f', -1, 64), c.want)
		}
	}
	b.shot(t, "studio-7-hotspot-saved")

	// A scenario: its situations and outcomes with "goes to" pickers.
	b.do(t, chromedp.Navigate(base+"/studio/d/"+id+"/m/fire/s/17?lang=en"), chromedp.WaitVisible(chromedp.ID("studio-step")),
		chromedp.ScrollIntoView(chromedp.CSS(`[data-key="steps[17].situations[0].choices[0]"]`)))
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('select[name$=".next"], select[name$=".outcome"]').length`)); n < 6 {
		t.Errorf("the scenario has %d goes-to pickers", n)
	}
	b.shot(t, "studio-6b-scenario")

	// The preview, drawn by the kiosk's renderer, of the fire module.
	f.web.opts.Studio.Renderer = buildRenderer(t)
	b.do(t, chromedp.Navigate(base+"/studio/d/"+id+"/preview?size=800x480&lang=en&module=fire"), chromedp.WaitVisible(chromedp.ID("preview-pending")))
	b.shot(t, "studio-7a-preview-drawing")
	// The page reloads itself every 5 s until the screens are drawn.
	for deadline := time.Now().Add(200 * time.Second); ; {
		drawn, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById('previews') !== null`))
		if err == nil && drawn {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the preview was not drawn in 200 s")
		}
		time.Sleep(time.Second)
	}
	b.waitJS(t, "the previews load", `Array.from(document.querySelectorAll('#previews img')).slice(0, 4).every(i => i.complete && i.naturalWidth === 800)`)
	b.shot(t, "studio-7b-preview")

	// Publish: the version up on the pack page, then the publish page's
	// diff and sign-off.
	b.do(t, chromedp.Navigate(base+"/studio/d/"+id+"?lang=en"), chromedp.WaitVisible(chromedp.ID("modules")))
	b.typeInto(t, field("input", "f:pack.yaml|version"), "2.1.0")
	b.do(t, chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("saved")),
		chromedp.Click(chromedp.ID("to-publish")), chromedp.WaitVisible(chromedp.ID("diff")))
	if d := b.text(t, "#diff"); !strings.Contains(d, "What is the safest way down?") || !strings.Contains(d, "targets[0].x") {
		t.Errorf("the diff does not show the changes: %.500s", d)
	}
	b.shot(t, "studio-8-publish")
	b.do(t, chromedp.Click(chromedp.ID("reviewed")), chromedp.Click(chromedp.ID("publish")), chromedp.WaitVisible(chromedp.ID("sign-command")))
	if got := b.text(t, "#sign-command"); got != "wufang-pack sign wufang-builtin-2.1.0.wfpack --key centre.key" {
		t.Errorf("the sign command reads %q", got)
	}
	b.shot(t, "studio-9-release")
	// The unsigned .wfpack, as the browser downloads it.
	unsigned := b.fetch(t, "#download-unsigned")
	b.do(t, chromedp.Click(chromedp.ID("sign-on-hub")), chromedp.WaitVisible(chromedp.ID("download-signed")))
	b.shot(t, "studio-10-signed")
	signed := b.fetch(t, "#download-signed")
	dir := t.TempDir()
	for name, data := range map[string][]byte{"unsigned.wfpack": unsigned, "signed.wfpack": signed} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		// As wufang-pack validate does: read it, check it.
		w, err := content.OpenWfpack(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, probs := content.Check(w.FS)
		if len(probs.Errors()) > 0 || p.Version != "2.1.0" || p.Mods[1].Steps[1].Prompt["en"] != "The building is on fire and you are on the 8th floor. What is the safest way down?" {
			t.Errorf("%s: %v", name, probs)
		}
		if name == "signed.wfpack" {
			if s, err := w.Verify(f.web.opts.Studio.Trusted, false); err != nil || !s.Trusted {
				t.Errorf("the signed download: %v", err)
			}
		}
	}
	// It renders with the kiosk's own renderer.
	render(t, filepath.Join(dir, "signed.wfpack"))

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser: %s", e)
	}
}
