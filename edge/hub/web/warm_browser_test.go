package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserFillsInAfterWarming: an overview opened while the hub is
// still counting (just after a start) shows "counting…" at once, and once
// the counting is done the page redraws itself with every number, in
// the order of what needs attention.
func TestBrowserFillsInAfterWarming(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	f.web.cache.mu.Lock()
	f.web.cache.running, f.web.cache.warming = true, true // as Run before its first Warm
	f.web.cache.mu.Unlock()
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(f.srv.URL+"/login?lang=en"), chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), testUser), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("overview")))
	if got := b.text(t, `tr[data-site="sh"] td[data-k="week"]`); got != "counting…" {
		t.Fatalf("while counting the week reads %q", got)
	}
	if got := b.text(t, `tr[data-site="ldn"] td[data-k="alerts"]`); got != "counting…" {
		t.Fatalf("while counting the alerts read %q", got)
	}
	b.do(t, chromedp.WaitVisible(chromedp.CSS("#live-state.on")))
	b.shot(t, "overview-counting-en-1366x768")
	if err := f.web.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	// The page reloads itself: an evaluation may meet the navigation.
	done := false
	for deadline := time.Now().Add(10 * time.Second); !done && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		done, _ = chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => {
			const t = document.getElementById('overview');
			const c = k => document.querySelector('tr[data-site="sh"] td[data-k="' + k + '"]').textContent.trim();
			return !!t && !t.hasAttribute('data-pending') && c('week') === '7' && c('year') === '10' &&
				document.querySelector('tbody tr').getAttribute('data-site') === 'ldn';
		})()`))
	}
	if !done {
		t.Fatal("the page did not fill in after the counting")
	}
	if got := b.text(t, `tr[data-site="ldn"] td[data-k="alerts"]`); got != "2" {
		t.Errorf("ldn's alerts after the counting: %q", got)
	}
	b.do(t, chromedp.Navigate("about:blank")) // closes the live stream, so the server can stop
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser: %s", e)
	}
}
