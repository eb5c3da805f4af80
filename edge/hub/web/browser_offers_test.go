package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOffers: the site page's device table in a real browser, with
// an offer installed, refused (twice: a reason the hub knows and one it
// does not) and pending, in both languages at a desktop and a phone size
// (screenshots of the table: devices-offers-LANG-SIZE.png); then a staff
// member with the content role withdraws a device's own offer by its
// button and the confirmation page's Confirm (a real form post with the
// page's CSRF token) and the page says so.
func TestBrowserOffers(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	f.withOffers(t)
	f.offers(t)
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("user"), testEditor), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("overview")))
	for _, sz := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"1920x1080", 1920, 1080, nil}, {"1366x768", 1366, 768, nil}, sizes[1]} {
		for _, l := range []Lang{EN, ZH} {
			b.do(t, chromedp.EmulateViewport(sz.w, sz.h, sz.opts...), chromedp.Navigate(base+"/site/sh?lang="+string(l)),
				chromedp.WaitVisible(chromedp.ID("device-table")), chromedp.ScrollIntoView(chromedp.ID("devices")))
			want := map[string]string{"kiosk1": l.T("why.unknown_key"), "kiosk2": l.T("why.waiting_hours"), "door1": l.T("offer.installed")}
			for dev, w := range want {
				cell := b.text(t, `#device-table tr[data-device="`+dev+`"] td.offer`)
				if !strings.Contains(cell, w) {
					t.Errorf("%s %s: the browser shows %q, want %q in it", sz.name, dev, cell, w)
				}
			}
			if sz.w < 800 {
				// A phone scrolls the table sideways: show the offer column.
				if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector('#devices .scroll').scrollLeft = 100000`)); err != nil {
					t.Fatal(err)
				}
			}
			b.capture(t, "devices-offers-"+string(l)+"-"+sz.name, chromedp.Screenshot(chromedp.ID("devices")))
		}
	}
	// Withdraw kiosk1's own offer by its button, then Confirm.
	b.do(t, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(base+"/site/sh?lang=en"), chromedp.WaitVisible(chromedp.ID("device-table")),
		chromedp.Click(chromedp.CSS(`#device-table tr[data-device="kiosk1"] form[action$="/offers/withdraw"] button`)),
		chromedp.WaitVisible(chromedp.ID("confirm-ok")))
	if got := b.text(t, "#offer-confirm .what"); got != "Withdraws spring-fair 1.2.0, offered on 10 Mar 2026 18:00 UTC+8." {
		t.Errorf("the confirmation page says %q", got)
	}
	b.do(t, chromedp.Click(chromedp.ID("confirm-ok")), chromedp.WaitVisible(chromedp.ID("offer-done")))
	if got := b.text(t, "#offer-done"); got != EN.T("offer.done.withdraw") {
		t.Errorf("after the withdrawal the page says %q", got)
	}
	if cell := b.text(t, `#device-table tr[data-device="kiosk1"] td.offer`); !strings.Contains(cell, "offered to the whole site") {
		t.Errorf("kiosk1 after the withdrawal: %q (it should follow its site's offer)", cell)
	}
	b.capture(t, "devices-offers-withdrawn-en-1920x1080", chromedp.Screenshot(chromedp.ID("devices")))
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser: %s", e)
	}
}
