package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// confirmFixture: the fixture's site sh with an Offerer; the site is
// offered 2.1.0 and kiosk1 its own 2.1.0 (the folder also holds 2.0.0).
// It returns the standing offers as a string and a count of publishes.
func confirmFixture(t *testing.T) (*fixture, func() string, *atomic.Int32, *publishedMsgs) {
	t.Helper()
	f := newFixture(t)
	off, pub := f.withOffers(t)
	for _, devs := range [][]string{nil, {"kiosk1"}} {
		if _, err := off.Offer(ctx, "sh", devs, "p-2.1.0.wfpack"); err != nil {
			t.Fatal(err)
		}
	}
	var n atomic.Int32
	publish := off.Publish
	off.Publish = func(ctx context.Context, topic string, b []byte) error {
		n.Add(1)
		return publish(ctx, topic, b)
	}
	standing := func() string { t.Helper(); return f.standing(t) }
	return f, standing, &n, pub
}

// confirmForm is the Confirm form of a confirmation page: its action and
// fields (nil when the page has none).
func confirmForm(t *testing.T, body string) (string, url.Values) {
	t.Helper()
	forms := find(doc(t, body), func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "id") == "confirm-form" })
	if len(forms) == 0 {
		return "", nil
	}
	if m := attrOf(forms[0], "method"); m != "post" {
		t.Fatalf("the Confirm form's method is %q", m)
	}
	vals := url.Values{}
	for _, in := range find(forms[0], func(n *html.Node) bool { return n.Data == "input" }) {
		vals.Add(attrOf(in, "name"), attrOf(in, "value"))
	}
	return attrOf(forms[0], "action"), vals
}

// standing lists the standing offers of site sh: device:version, with r
// for a rollback.
func (f *fixture) standing(t *testing.T) string {
	t.Helper()
	offers, err := f.hub.StandingOffers(ctx, "sh")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range offers {
		s := o.Device + ":" + o.Version
		if o.Rollback {
			s += "r"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// send posts form to path on f's server with c and returns the answer
// and its body.
func (f *fixture) send(t *testing.T, c *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(f.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

// words is a page's visible text, spaces folded.
func words(t *testing.T, body string) string {
	return strings.Join(strings.Fields(pageWords(t, body)), " ")
}

// TestOfferConfirmPage: the site page's offer buttons lead to a
// confirmation page (GET) that says what will happen and changes
// nothing; Cancel goes back with nothing changed; Confirm (the POST with
// the page's token) does it and the site page says so; the same form sent
// again, after the offer changed, does nothing and shows how it stands.
func TestOfferConfirmPage(t *testing.T) {
	f, standing, published, pub := confirmFixture(t)
	const start = "_all:2.1.0 kiosk1:2.1.0"
	if s := standing(); s != start {
		t.Fatalf("standing offers %q", s)
	}
	editor := f.loggedIn(t, testEditor)

	// The site page's buttons are GET forms to the confirmation pages.
	_, body := get(t, editor, f.srv.URL+"/site/sh?lang=en")
	var buttons []string
	for _, fm := range find(doc(t, body), func(n *html.Node) bool { return n.Data == "form" && strings.Contains(attrOf(n, "action"), "/offers/") }) {
		q := url.Values{}
		for _, in := range find(fm, func(n *html.Node) bool { return n.Data == "input" }) {
			q.Add(attrOf(in, "name"), attrOf(in, "value"))
		}
		buttons = append(buttons, attrOf(fm, "method")+" "+attrOf(fm, "action")+"?"+q.Encode())
	}
	if strings.Join(buttons, " | ") != "get /site/sh/offers/withdraw? | get /site/sh/offers/previous? | get /site/sh/offers/withdraw?device=kiosk1 | get /site/sh/offers/previous?device=kiosk1" {
		t.Fatalf("the site page's offer buttons: %q", buttons)
	}

	// The site's rollback: what, to whom, what each device does.
	code, body := get(t, editor, f.srv.URL+"/site/sh/offers/previous?lang=en")
	if code != 200 {
		t.Fatalf("confirmation page: %d %s", code, body)
	}
	w := words(t, body)
	for _, s := range []string{
		"Offer the previous release (roll back)?",
		"Nothing changes until you confirm.",
		"To: every device of room sh",
		"Offers wufang-builtin 2.0.0 as a rollback, instead of wufang-builtin 2.1.0 (offered on 10 Mar 2026 20:00 UTC+8).",
		"Device Runs now door1 wufang-basic 2026.3",
		"Devices of the room that connect later get this change too.",
		"Not reached (each has an offer of its own, and does not follow the site's): kiosk1.",
		"Each device installs wufang-builtin 2.0.0 when no visit is running and outside opening hours (never during a visit;",
		"A device takes the rollback only when wufang-builtin 2.0.0 is the pack it ran before",
		"any other device refuses it and keeps the pack it runs.",
		"Confirm Cancel",
	} {
		if !strings.Contains(w, s) {
			t.Errorf("the rollback's confirmation page does not say %q:\n%s", s, w)
		}
	}
	if rows := tableRows(t, doc(t, body), "offer-confirm"); len(rows) != 1 || rows[0][0] != "door1" {
		t.Errorf("devices reached: %q (kiosk1 has its own offer)", rows)
	}
	if s := standing(); s != start || published.Load() != 0 {
		t.Fatalf("the confirmation page changed something: %q, %d published", s, published.Load())
	}
	action, form := confirmForm(t, body)
	if action != "/site/sh/offers/previous" || form.Get("csrf") == "" || len(form["device"]) != 0 || len(form["expect"]) != 1 {
		t.Fatalf("Confirm form: %s %v", action, form)
	}
	cancel := find(doc(t, body), func(n *html.Node) bool { return attrOf(n, "id") == "confirm-cancel" })
	if len(cancel) != 1 || attrOf(cancel[0], "href") != "/site/sh#devices" {
		t.Fatalf("Cancel: %v", cancel)
	}

	// Cancel: back to the site page, nothing changed.
	code, body = get(t, editor, f.srv.URL+attrOf(cancel[0], "href"))
	if code != 200 || !strings.Contains(body, `id="device-table"`) || strings.Contains(body, `id="offer-done"`) {
		t.Errorf("Cancel leads to %d %s", code, body)
	}
	if s := standing(); s != start || published.Load() != 0 {
		t.Fatalf("Cancel changed something: %q, %d published", s, published.Load())
	}

	// Confirm: the rollback is offered; the site page says so.
	resp, _ := f.send(t, editor, action, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/site/sh?done=previous#devices" {
		t.Fatalf("Confirm: %s %s", resp.Status, resp.Header.Get("Location"))
	}
	if s := standing(); s != "_all:2.0.0r kiosk1:2.1.0" || published.Load() != 1 {
		t.Fatalf("after Confirm: %q, %d published", s, published.Load())
	}
	if msg, err := wire.DecodeOffer(mustGet(t, pub, "wufang/v1/_offers/sh/_all")); err != nil || msg.Version != "2.0.0" || !msg.Rollback {
		t.Errorf("published %+v %v", msg, err)
	}
	_, body = get(t, editor, f.srv.URL+resp.Header.Get("Location"))
	if !strings.Contains(body, EN.T("offer.done.previous")) {
		t.Error("the site page does not say the rollback is offered")
	}

	// The same form again (a second tab, a double submit): the offer is
	// now 2.0.0, with nothing older; nothing is done and the page says
	// why, in place of a second rollback.
	resp, b := f.send(t, editor, action+"?lang=en", form)
	w = words(t, b)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(w, "Nothing was changed.") ||
		!strings.Contains(w, "There is no signed release of wufang-builtin older than 2.0.0 in content.packs_dir, so there is nothing to roll back to: put the previous release's .wfpack there first.") {
		t.Errorf("the rollback sent twice: %s %s", resp.Status, w)
	}
	if a, _ := confirmForm(t, b); a != "" || !strings.Contains(b, `id="confirm-back"`) {
		t.Errorf("a page with nothing to do offers Confirm (%q) or no way back", a)
	}
	if s := standing(); s != "_all:2.0.0r kiosk1:2.1.0" || published.Load() != 1 {
		t.Fatalf("the rollback sent twice changed something: %q, %d published", s, published.Load())
	}
	// Its confirmation page says the same, with nothing to confirm.
	code, body = get(t, editor, f.srv.URL+"/site/sh/offers/previous?lang=en")
	if a, _ := confirmForm(t, body); code != 200 || a != "" || !strings.Contains(words(t, body), "There is no signed release of wufang-builtin older than 2.0.0") {
		t.Errorf("no older release: %d %q %s", code, a, body)
	}

	// kiosk1's own offer: withdrawn, it then follows the site's rollback.
	_, body = get(t, editor, f.srv.URL+"/site/sh/offers/withdraw?device=kiosk1&lang=en")
	w = words(t, body)
	for _, s := range []string{
		"Withdraw the offer?",
		"To: device kiosk1 only",
		"Withdraws wufang-builtin 2.1.0, offered on 10 Mar 2026 20:00 UTC+8.",
		"Device Runs now kiosk1 wufang-basic 2026.3",
		"Withdrawing installs and removes nothing: a device keeps the pack it runs now, and one that has not installed wufang-builtin 2.1.0 yet will not install it.",
		"Then kiosk1 follows the site's offer, wufang-builtin 2.0.0 (rollback): it installs that when no visit is running and outside opening hours; if it refuses, it keeps the pack it runs.",
	} {
		if !strings.Contains(w, s) {
			t.Errorf("kiosk1's withdrawal page does not say %q:\n%s", s, w)
		}
	}
	if strings.Contains(w, "connect later") || strings.Contains(w, "Not reached") {
		t.Errorf("a device's page speaks of the whole site: %s", w)
	}
	action, form = confirmForm(t, body)
	if action != "/site/sh/offers/withdraw" || strings.Join(form["device"], ",") != "kiosk1" {
		t.Fatalf("Confirm form: %s %v", action, form)
	}
	resp, _ = f.send(t, editor, action, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/site/sh?done=withdraw#devices" {
		t.Fatalf("Confirm the withdrawal: %s", resp.Status)
	}
	if b, ok := pub.get("wufang/v1/_offers/sh/kiosk1"); !ok || len(b) != 0 || standing() != "_all:2.0.0r" {
		t.Errorf("after the withdrawal: %q %v, offers %q", b, ok, standing())
	}

	// Already withdrawn: both steps say so plainly and do nothing.
	n := published.Load()
	code, body = get(t, editor, f.srv.URL+"/site/sh/offers/withdraw?device=kiosk1&lang=en")
	if a, _ := confirmForm(t, body); code != 200 || a != "" ||
		!strings.Contains(words(t, body), "Nothing is offered to device kiosk1 itself now (it may have been withdrawn already): there is nothing to withdraw.") {
		t.Errorf("withdrawn already: %d %q %s", code, a, words(t, body))
	}
	resp, b = f.send(t, editor, action+"?lang=en", form)
	w = words(t, b)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(w, "Nothing was changed.") || !strings.Contains(w, "there is nothing to withdraw") {
		t.Errorf("withdrawing twice: %s %s", resp.Status, w)
	}
	code, body = get(t, editor, f.srv.URL+"/site/sh/offers/previous?device=kiosk1&lang=en")
	if a, _ := confirmForm(t, body); code != 200 || a != "" ||
		!strings.Contains(words(t, body), "Nothing is offered to device kiosk1 itself now, so there is no previous release to go back to.") {
		t.Errorf("previous of nothing: %d %q %s", code, a, words(t, body))
	}
	if published.Load() != n || standing() != "_all:2.0.0r" {
		t.Errorf("a target that is gone changed something: %d published, %q", published.Load()-n, standing())
	}
}

// TestOfferConfirmChanged: a Confirm form whose offer changed after the
// page showed it (another staff member offered something else) does
// nothing and shows the page as it stands now, with a Confirm of that.
func TestOfferConfirmChanged(t *testing.T) {
	f, standing, published, _ := confirmFixture(t)
	editor := f.loggedIn(t, testEditor)
	_, body := get(t, editor, f.srv.URL+"/site/sh/offers/withdraw?lang=en")
	action, form := confirmForm(t, body)
	if action == "" {
		t.Fatalf("no Confirm: %s", body)
	}
	// Meanwhile the site is offered 2.0.0.
	if _, err := f.web.opts.Offers.Offer(ctx, "sh", nil, "p-2.0.0.wfpack"); err != nil {
		t.Fatal(err)
	}
	n := published.Load()
	resp, b := f.send(t, editor, action+"?lang=en", form)
	w := words(t, b)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(w, "The offer changed after you looked, so nothing was done.") ||
		!strings.Contains(w, "Withdraws wufang-builtin 2.0.0") {
		t.Errorf("a changed offer: %s %s", resp.Status, w)
	}
	if standing() != "_all:2.0.0 kiosk1:2.1.0" || published.Load() != n {
		t.Errorf("a changed offer was withdrawn: %q", standing())
	}
	// The page's new Confirm does it.
	action, form = confirmForm(t, b)
	resp, _ = f.send(t, editor, action, form)
	if resp.StatusCode != http.StatusSeeOther || standing() != "kiosk1:2.1.0" {
		t.Errorf("Confirm again: %s, offers %q", resp.Status, standing())
	}
}

// TestOfferConfirmRefused: without the content role both steps are
// refused (the page and the POST), and the POST without the session's
// CSRF token is refused; nothing changes.
func TestOfferConfirmRefused(t *testing.T) {
	f, standing, published, _ := confirmFixture(t)
	plain := f.loggedIn(t)
	editor := f.loggedIn(t, testEditor)
	for _, kind := range []string{offerWithdraw, offerPrevious} {
		for _, q := range []string{"", "?device=kiosk1"} {
			path := "/site/sh/offers/" + kind
			code, body := get(t, plain, f.srv.URL+path+q)
			if code != http.StatusForbidden || strings.Contains(body, `id="confirm-form"`) {
				t.Errorf("GET %s%s without the role: %d", path, q, code)
			}
			_, body = get(t, editor, f.srv.URL+path+q)
			_, form := confirmForm(t, body)
			if form == nil {
				t.Fatalf("%s%s: no Confirm form", path, q)
			}
			// Without the role, with the user's own token.
			mine := url.Values{}
			for k, v := range form {
				mine[k] = v
			}
			mine.Set("csrf", f.csrfOf(t, plain, "/"))
			resp, _ := f.send(t, plain, path, mine)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s%s without the role: %s", path, q, resp.Status)
			}
			// The editor without a token, and with another session's.
			for _, tok := range []string{"", f.csrfOf(t, plain, "/")} {
				form.Set("csrf", tok)
				resp, b := f.send(t, editor, path+"?lang=en", form)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "nothing was changed") {
					t.Errorf("POST %s%s with token %q: %s %s", path, q, tok, resp.Status, b)
				}
			}
		}
	}
	if s := standing(); s != "_all:2.1.0 kiosk1:2.1.0" || published.Load() != 0 {
		t.Errorf("a refused request changed something: %q, %d published", s, published.Load())
	}
	// A bad device id is refused on the page as on the POST.
	if code, _ := get(t, editor, f.srv.URL+"/site/sh/offers/withdraw?device=../x"); code != http.StatusBadRequest {
		t.Errorf("a bad device id: %d", code)
	}
	if code, _ := get(t, editor, f.srv.URL+"/site/nowhere/offers/withdraw"); code != http.StatusNotFound {
		t.Errorf("an unknown site: %d", code)
	}
}

// confirmNames are the words a zh confirmation page may show in Latin
// letters: ids and versions (sites, devices, packs, the user li), and the config keys
// and the file type it names, which are written as they are typed.
var confirmNames = regexp.MustCompile(`\b(content\.[a-z_]+|\.wfpack|wufang-builtin|wufang-basic|kiosk[0-9]|door[0-9]|sh|li)\b`)

// TestOfferConfirmLanguages: every state of the confirmation page in
// Chinese has no English left but ids, versions and config keys; in
// English no Chinese but the language switch.
func TestOfferConfirmLanguages(t *testing.T) {
	f, _, _, _ := confirmFixture(t)
	editor := f.loggedIn(t, testEditor)
	// A device the hub has not heard from, with its own offer.
	if _, err := f.web.opts.Offers.Offer(ctx, "sh", []string{"kiosk9"}, "p-2.1.0.wfpack"); err != nil {
		t.Fatal(err)
	}
	pages := []string{
		"/site/sh/offers/withdraw", "/site/sh/offers/previous",
		"/site/sh/offers/withdraw?device=kiosk1", "/site/sh/offers/previous?device=kiosk1",
		"/site/sh/offers/withdraw?device=kiosk9",
		"/site/sh/offers/withdraw?device=kiosk2", "/site/sh/offers/previous?device=kiosk2", // nothing of its own
	}
	han := regexp.MustCompile(`\p{Han}`)
	check := func(l Lang, path, body string) {
		t.Helper()
		w := words(t, body)
		if l == ZH {
			if left := englishLeft(confirmNames.ReplaceAllString(w, " ")); len(left) > 0 {
				t.Errorf("English left on the Chinese page %s: %q\n%s", path, left, w)
			}
			return
		}
		if left := han.FindAllString(strings.ReplaceAll(w, EN.T("lang.other"), ""), -1); len(left) > 0 {
			t.Errorf("Chinese left on the English page %s: %q", path, left)
		}
	}
	for _, l := range []Lang{ZH, EN} {
		sep := "?"
		for _, p := range pages {
			if strings.Contains(p, "?") {
				sep = "&"
			} else {
				sep = "?"
			}
			code, body := get(t, editor, f.srv.URL+p+sep+"lang="+string(l))
			if code != 200 {
				t.Fatalf("%s: %d", p, code)
			}
			check(l, p, body)
		}
		if l == ZH {
			_, body := get(t, editor, f.srv.URL+"/site/sh/offers/previous?lang=zh")
			w := words(t, body)
			for _, s := range []string{
				"发布上一版（回退）？", "对象：展室 sh 的全部设备",
				"改为发布 wufang-builtin 2.0.0 作为回退，取代 wufang-builtin 2.1.0（2026年3月10日 20:00 UTC+8 发布）。",
				"不涉及（各有只发布给自己的内容包，不跟随全站发布）：kiosk1、kiosk9。", "确认 取消",
			} {
				if !strings.Contains(w, s) {
					t.Errorf("the Chinese rollback page does not say %q:\n%s", s, w)
				}
			}
			_, body = get(t, editor, f.srv.URL+"/site/sh/offers/withdraw?device=kiosk9&lang=zh")
			if w := words(t, body); !strings.Contains(w, "kiosk9 尚未向中心服务器报告") {
				t.Errorf("a device not heard from: %s", w)
			}
		}
	}
	// The pages shown after a POST that did nothing, in Chinese.
	for _, p := range []string{"/site/sh/offers/withdraw?device=kiosk2", "/site/sh/offers/previous?device=kiosk2"} {
		path, q, _ := strings.Cut(p, "?")
		form, _ := url.ParseQuery(q)
		form.Set("csrf", f.csrfOf(t, editor, "/"))
		resp, b := f.send(t, editor, path+"?lang=zh", form)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(b, "没有做任何更改。") {
			t.Errorf("POST %s: %s %s", p, resp.Status, b)
		}
		check(ZH, "POST "+p, b)
	}
}
