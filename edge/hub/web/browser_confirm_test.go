package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// TestBrowserOfferConfirm: in a real browser, the site's "offer the
// previous release" button opens the confirmation page (screenshots in
// both languages at 1366x768 and a phone: offer-confirm-LANG-SIZE.png);
// Cancel goes back to the site page with nothing changed; the button again
// and Confirm offer the rollback, and the site page says so; with nothing
// older left, the button's page says so and has only a way back.
func TestBrowserOfferConfirm(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	off, _ := f.withOffers(t)
	for _, devs := range [][]string{nil, {"kiosk1"}} {
		if _, err := off.Offer(ctx, "sh", devs, "p-2.1.0.wfpack"); err != nil {
			t.Fatal(err)
		}
	}
	// More rooms' devices running the site's 2.1.0, one not heard from.
	for _, dev := range []string{"kiosk2", "kiosk3", "door2"} {
		st := wire.Status{V: 1, Epoch: epochA, Online: true, App: "1.4.0", Pack: "wufang-builtin", PackVersion: "2.1.0", Boot: 1, Time: f.clock.Now()}
		if err := f.db.StoreStatus(ctx, "sh", dev, epochA, st, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	standing := func() string { return f.standing(t) }
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("user"), testEditor), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("overview")))
	siteButton := chromedp.CSS(`#site-offer form[action$="/offers/previous"] button`)
	for _, sz := range sizes {
		for _, l := range []Lang{EN, ZH} {
			b.do(t, chromedp.EmulateViewport(sz.w, sz.h, sz.opts...), chromedp.Navigate(base+"/site/sh?lang="+string(l)),
				chromedp.WaitVisible(chromedp.ID("site-offer")), chromedp.Click(siteButton), chromedp.WaitVisible(chromedp.ID("confirm-ok")))
			if got := b.text(t, "#offer-confirm h1"); got != l.T("confirm.title.previous") {
				t.Errorf("%s %s: the confirmation page is titled %q", l, sz.name, got)
			}
			if got := b.text(t, "#offer-confirm .what"); !strings.Contains(got, "wufang-builtin 2.0.0") || !strings.Contains(got, "wufang-builtin 2.1.0") {
				t.Errorf("%s %s: the confirmation page says %q", l, sz.name, got)
			}
			b.shot(t, "offer-confirm-"+string(l)+"-"+sz.name)
			b.fullShot(t, "offer-confirm-"+string(l)+"-"+sz.name+"-full")
			// Nothing is cut off sideways.
			if over, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); err != nil || over {
				t.Errorf("%s %s: the confirmation page is wider than the screen (%v)", l, sz.name, err)
			}
			// Cancel: the site page, nothing changed.
			b.do(t, chromedp.Click(chromedp.ID("confirm-cancel")), chromedp.WaitVisible(chromedp.ID("device-table")))
			if s := standing(); s != "_all:2.1.0 kiosk1:2.1.0" {
				t.Fatalf("%s %s: Cancel changed the offers: %q", l, sz.name, s)
			}
		}
	}
	// The button again, and Confirm.
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/site/sh?lang=en"), chromedp.WaitVisible(chromedp.ID("site-offer")),
		chromedp.Click(siteButton), chromedp.WaitVisible(chromedp.ID("confirm-ok")),
		chromedp.Click(chromedp.ID("confirm-ok")), chromedp.WaitVisible(chromedp.ID("offer-done")))
	if got := b.text(t, "#offer-done"); got != EN.T("offer.done.previous") {
		t.Errorf("after Confirm the page says %q", got)
	}
	if s := standing(); s != "_all:2.0.0r kiosk1:2.1.0" {
		t.Errorf("after Confirm: %q", s)
	}
	b.shot(t, "offer-confirmed-en-1366x768")
	// Nothing older than 2.0.0: the button's page says so, with only a
	// way back.
	b.do(t, chromedp.Click(siteButton), chromedp.WaitVisible(chromedp.ID("confirm-back")))
	if got := b.text(t, "#offer-confirm .blocked"); !strings.Contains(got, "There is no signed release of wufang-builtin older than 2.0.0") {
		t.Errorf("with nothing older the page says %q", got)
	}
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#confirm-form').length`)); err != nil || n != 0 {
		t.Errorf("a Confirm with nothing to do (%d, %v)", n, err)
	}
	b.shot(t, "offer-confirm-nothing-en-1366x768")
	b.do(t, chromedp.Click(chromedp.ID("confirm-back")), chromedp.WaitVisible(chromedp.ID("device-table")))
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser: %s", e)
	}
}
