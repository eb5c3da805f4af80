package web

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/hub/studio"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// setVersion saves the pack page's form with the version changed.
func (f *fixture) setVersion(t *testing.T, c *http.Client, id, version string) {
	t.Helper()
	_, body := get(t, c, f.srv.URL+"/studio/d/"+id)
	vals := formOf(t, body)
	vals.Set("f:pack.yaml|version", version)
	vals.Set("op", "save")
	if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set version: %s", resp.Status)
	}
}

func (f *fixture) head(t *testing.T, id string) string {
	d, err := f.web.opts.Studio.Store.Draft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return itoa(d.Head)
}

func getBytes(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	code, body := get(t, c, u)
	return code, []byte(body)
}

// TestStudioPublish: a release needs no errors, a sign-off and a version
// above every earlier one (the studio's and the packs the hub serves);
// its diff lists the changed texts against the previous release; its
// fact list and unsigned .wfpack download; the signed file taken back is
// checked against the trusted keys and the release's own files, and goes
// into the packs folder; the hub's own key signs only when it is mode 0600.
func TestStudioPublish(t *testing.T) {
	f := newFixture(t)
	key, err := content.GenerateKey(rand.Reader, "test centre")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := content.GenerateKey(rand.Reader, "someone else")
	packs := t.TempDir()
	f.web.opts.Studio.PacksDir, f.web.opts.Studio.Trusted = packs, []content.PublicKey{key.Public()}
	c := f.editor(t)
	id := f.newDraft(t, c)
	// The draft is the built-in pack's own version: the hub serves that
	// version already (a copy in the packs folder), so it must go up.
	bi, _ := f.web.opts.Studio.Store.Revision(ctx, id, 1)
	var served bytes.Buffer
	if err := content.WriteWfpack(&served, bi.Files.FS(), bi.Files.Names(), &key); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(packs, "builtin.wfpack"), served.Bytes(), 0o644)
	p0, _ := bi.Files.Load()
	_, body := get(t, c, f.srv.URL+"/studio/d/"+id+"/publish?lang=en")
	if !strings.Contains(body, "The version only goes up: "+p0.Version) {
		t.Fatalf("the same version is offered for publishing: %.2000s", body)
	}
	resp := f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}, "reviewed": {"yes"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("publishing the served version: %s", resp.Status)
	}
	// A change of a question, and the version up.
	_, body = get(t, c, f.srv.URL+"/studio/d/"+id+"/m/fire/s/1")
	vals := formOf(t, body)
	vals.Set("f:modules/fire.yaml|steps[1].prompt.en", "Which way down in a fire?")
	f.post(t, c, "/studio/d/"+id+"/save", vals)
	f.setVersion(t, c, id, "9.0.0")
	_, body = get(t, c, f.srv.URL+"/studio/d/"+id+"/publish?lang=en")
	if !strings.Contains(body, "Which way down in a fire?") || !strings.Contains(body, "steps[1].prompt.en") || !strings.Contains(body, "9.0.0") {
		t.Errorf("the publish page's diff: %.3000s", body)
	}
	// No sign-off, no release.
	if resp := f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("without the sign-off: %s", resp.Status)
	}
	resp = f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}, "reviewed": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/studio/r/"+p0.ID+"/9.0.0" {
		t.Fatalf("publish: %s %s", resp.Status, resp.Header.Get("Location"))
	}
	rel := f.srv.URL + "/studio/r/" + p0.ID + "/9.0.0"
	code, page := get(t, c, rel+"?lang=en")
	if code != 200 || !strings.Contains(page, "wufang-pack sign "+p0.ID+"-9.0.0.wfpack --key centre.key") {
		t.Fatalf("release page: %d %.2000s", code, page)
	}
	// The same version again, or a lower one: refused.
	f.setVersion(t, c, id, "8.9.9")
	if resp := f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}, "reviewed": {"yes"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("a lower version: %s", resp.Status)
	}
	// The fact list.
	code, facts := get(t, c, rel+"/review")
	if code != 200 || !strings.Contains(facts, "# "+p0.ID+" 9.0.0 — fact review sheet") || !strings.Contains(facts, "Which way down in a fire?") ||
		!strings.Contains(facts, "- [ ] ") || !strings.Contains(facts, "Reviewed and signed off by") {
		t.Errorf("REVIEW.md: %d %.1500s", code, facts)
	}
	// The unsigned download is a valid pack, and unsigned.
	code, unsigned := getBytes(t, c, rel+"/unsigned")
	w, err := content.ReadWfpack(bytes.NewReader(unsigned), int64(len(unsigned)))
	if code != 200 || err != nil {
		t.Fatalf("unsigned download: %d %v", code, err)
	}
	if _, err := w.Verify(nil, false); err == nil {
		t.Error("the unsigned download verifies as signed")
	}
	if _, probs := content.Check(w.FS); len(probs.Errors()) > 0 {
		t.Errorf("the download does not validate: %v", probs)
	}
	sign := func(k content.PrivateKey, data []byte) []byte {
		w, err := content.ReadWfpack(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := w.Resign(&b, k); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	// Signed by a key the hub does not trust; another pack signed; then
	// the right one.
	otherPack := served.Bytes()
	for _, bad := range []struct {
		name string
		data []byte
		want string
	}{
		{"untrusted key", sign(other, unsigned), "unknown signing key"},
		{"another pack", otherPack, "the signed pack is not this release"},
		{"unsigned", unsigned, "not signed"},
	} {
		resp, body := f.postFile(t, c, "/studio/r/"+p0.ID+"/9.0.0/signed?lang=en", url.Values{}, "signed", "x.wfpack", bad.data)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, bad.want) {
			t.Errorf("%s: %s %.200s", bad.name, resp.Status, body)
		}
	}
	if _, err := os.Stat(filepath.Join(packs, p0.ID+"-9.0.0.wfpack")); err == nil {
		t.Fatal("a refused signing wrote the release")
	}
	resp, body = f.postFile(t, c, "/studio/r/"+p0.ID+"/9.0.0/signed?lang=en", url.Values{}, "signed", "x.wfpack", sign(key, unsigned))
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed by test centre") {
		t.Fatalf("the signed file: %s %.300s", resp.Status, body)
	}
	got, err := content.OpenWfpack(filepath.Join(packs, p0.ID+"-9.0.0.wfpack"))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := got.Verify([]content.PublicKey{key.Public()}, false); err != nil || !s.Trusted {
		t.Errorf("the release in the packs folder: %v", err)
	}

	// The hub's own key: refused while others may read it, used at 0600.
	f.setVersion(t, c, id, "9.1.0")
	f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}, "reviewed": {"yes"}})
	kf := filepath.Join(t.TempDir(), "hub.key")
	kb, _ := key.MarshalText()
	os.WriteFile(kf, kb, 0o644)
	f.web.opts.Studio.SigningKeyFile = kf
	resp = f.post(t, c, "/studio/r/"+p0.ID+"/9.1.0/sign?lang=en", url.Values{})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a key file of mode 0644: %s", resp.Status)
	}
	os.Chmod(kf, 0o600)
	if resp := f.post(t, c, "/studio/r/"+p0.ID+"/9.1.0/sign", url.Values{}); resp.StatusCode != 200 {
		t.Errorf("sign on the hub: %s", resp.Status)
	}
	if _, err := os.Stat(filepath.Join(packs, p0.ID+"-9.1.0.wfpack")); err != nil {
		t.Errorf("the hub-signed release: %v", err)
	}
	// The 9.1.0 diff is against 9.0.0: only the version changed.
	r91, _ := f.web.opts.Studio.Store.Release(ctx, p0.ID, "9.1.0")
	r90, _ := f.web.opts.Studio.Store.Release(ctx, p0.ID, "9.0.0")
	ch, _ := studio.Diff(r90.Files, r91.Files)
	if len(ch) != 1 || ch[0].Key != "version" || ch[0].Old != "9.0.0" || ch[0].New != "9.1.0" {
		t.Errorf("9.0.0 -> 9.1.0: %+v", ch)
	}
}

// TestStudioPreview: without the renderer the page says so plainly; with
// it every screen of the draft is drawn at the size and language asked,
// served only under its own draft's key.
func TestStudioPreview(t *testing.T) {
	f := newFixture(t)
	c := f.editor(t)
	id := f.newDraft(t, c)
	f.web.opts.Studio.Renderer = filepath.Join(t.TempDir(), "no-such-wufang-render")
	code, body := get(t, c, f.srv.URL+"/studio/d/"+id+"/preview?size=800x480&lang=en&lang=en")
	if code != 200 || !strings.Contains(body, `id="no-renderer"`) || !strings.Contains(body, "wufang-render, is not installed") {
		t.Errorf("without a renderer: %d %.300s", code, body)
	}
	f.web.opts.Studio.Renderer = buildRenderer(t)
	u := f.srv.URL + "/studio/d/" + id + "/preview?size=800x480&lang=en&module=drugs"
	_, body = get(t, c, u)
	if !strings.Contains(body, `id="preview-pending"`) || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("a preview being drawn: %s", body[strings.Index(body, "preview-form"):])
	}
	for deadline := time.Now().Add(10 * time.Minute); strings.Contains(body, `id="preview-pending"`) && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		_, body = get(t, c, u)
	}
	imgs := regexp.MustCompile(`<img src="(/studio/d/[^"]+\.png)"`).FindAllStringSubmatch(body, -1)
	if len(imgs) < 10 || strings.Contains(body, "-fire-") {
		t.Fatalf("%d previews of drugs: %s", len(imgs), body[strings.Index(body, "preview-form"):])
	}
	req, _ := http.NewRequest("GET", f.srv.URL+imgs[0][1], nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(b, "\x89PNG") {
		t.Errorf("a preview image: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	other := f.newDraft(t, c)
	if code, _ := get(t, c, f.srv.URL+strings.Replace(imgs[0][1], "/d/"+id+"/", "/d/"+other+"/", 1)); code != http.StatusNotFound {
		t.Errorf("a preview under another draft: %d", code)
	}
	if code, _ := get(t, c, f.srv.URL+strings.Replace(imgs[0][1], ".png", "/../../x.png", 1)); code == 200 {
		t.Error("a path that climbs is served")
	}
}

// TestStudioOffer: a release signed in the studio lands in the packs
// folder and is offered to a room from its page, through the hub's
// Offerer (the retained offer names its version and file); an unsigned
// release has no offer button and is refused.
func TestStudioOffer(t *testing.T) {
	f := newFixture(t)
	off, pub := f.withOffers(t)
	key, _ := content.GenerateKey(rand.Reader, "studio")
	off.Library.TrustedKeys = append(off.Library.TrustedKeys, key.Public().Line())
	kf := filepath.Join(t.TempDir(), "studio.key")
	kb, _ := key.MarshalText()
	os.WriteFile(kf, kb, 0o600)
	f.web.opts.Studio.PacksDir, f.web.opts.Studio.Trusted, f.web.opts.Studio.SigningKeyFile = off.Library.Dir, []content.PublicKey{key.Public()}, kf
	c := f.editor(t)
	id := f.newDraft(t, c)
	f.setVersion(t, c, id, "9.0.0")
	f.post(t, c, "/studio/d/"+id+"/publish", url.Values{"base": {f.head(t, id)}, "reviewed": {"yes"}})
	rel := "/studio/r/wufang-builtin/9.0.0"
	if _, page := get(t, c, f.srv.URL+rel); strings.Contains(page, `id="offer-form"`) {
		t.Error("an unsigned release has an offer button")
	}
	if resp := f.post(t, c, rel+"/offer", url.Values{"site": {"sh"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("offering an unsigned release: %s", resp.Status)
	}
	if resp := f.post(t, c, rel+"/sign", url.Values{}); resp.StatusCode != 200 {
		t.Fatalf("sign: %s", resp.Status)
	}
	_, page := get(t, c, f.srv.URL+rel+"?lang=en")
	if !strings.Contains(page, `id="offer-form"`) || !strings.Contains(page, "<option>sh</option>") {
		t.Fatalf("no offer form: %.3000s", page[strings.Index(page, "<main>"):])
	}
	resp := f.post(t, c, rel+"/offer?lang=en", url.Values{"site": {"sh"}})
	if resp.StatusCode != 200 {
		t.Fatalf("offer: %s", resp.Status)
	}
	msg, err := wire.DecodeOffer(mustGet(t, pub, "wufang/v1/_offers/sh/_all"))
	if err != nil || msg.Version != "9.0.0" || !strings.HasSuffix(msg.URL, "/packs/wufang-builtin-9.0.0.wfpack") {
		t.Errorf("the retained offer: %+v %v", msg, err)
	}
}
