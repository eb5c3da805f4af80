package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// postFile sends a multipart form with one file, as a browser's upload,
// with the CSRF token of c's session.
func (f *fixture) postFile(t *testing.T, c *http.Client, path string, fields url.Values, field, filename string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields.Set("csrf", f.csrfOf(t, c, "/login"))
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

// TestStudioHostileWfpacks: every .wfpack of the reader's hostile corpus
// (content/testdata/corpus: path escapes, links, bombs, damaged files…)
// uploaded to start a draft is refused with the reader's reason, and no
// draft is made; the one that only fails validation becomes a draft that
// shows its problem.
func TestStudioHostileWfpacks(t *testing.T) {
	f := newFixture(t)
	c := f.editor(t)
	corpus, _ := filepath.Glob(filepath.Join("..", "..", "..", "content", "testdata", "corpus", "*.wfpack"))
	if len(corpus) < 20 {
		t.Fatalf("the corpus has %d files", len(corpus))
	}
	for _, name := range corpus {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(name)
		resp, body := f.postFile(t, c, "/studio/new?lang=en", url.Values{"source": {"upload"}}, "wfpack", base, data)
		if base == "invalid-pack.wfpack" {
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: %s", base, resp.Status)
				continue
			}
			_, page := get(t, c, f.srv.URL+resp.Header.Get("Location"))
			if !strings.Contains(page, "pass_score: is missing") && !strings.Contains(page, "is missing") {
				t.Errorf("%s: its problem is not shown", base)
			}
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This pack cannot be read") {
			t.Errorf("%s: %s %.200s", base, resp.Status, body)
		}
	}
	ds, _ := f.web.opts.Studio.Store.Drafts(ctx)
	if len(ds) != 1 {
		t.Errorf("%d drafts made from the corpus, want 1 (invalid-pack)", len(ds))
	}
}

// TestStudioHostileUploads: pictures refused by the validator's media
// checks are refused at upload (nothing saved), and a file name from the
// browser never becomes a path outside media/uploads/ or markup.
func TestStudioHostileUploads(t *testing.T) {
	f := newFixture(t)
	c := f.editor(t)
	id := f.newDraft(t, c)
	head := func() int {
		d, _ := f.web.opts.Studio.Store.Draft(ctx, id)
		return d.Head
	}
	good := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3" width="400" height="300"><rect width="4" height="3" fill="#c62828"/></svg>`)
	for _, tc := range []struct{ name, file, data, want string }{
		{"script", "x.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>`, "contains &lt;script&gt;"},
		{"external link", "x.svg", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1"><image xlink:href="http://example.com/a.png"/></svg>`, "x.svg"},
		{"entity", "x.svg", `<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>`, "declares XML entities"},
		{"event handler", "x.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>`, "x.svg"},
		{"not utf-8", "x.svg", "<svg viewBox=\"0 0 1 1\"><!-- \xff --></svg>", "not UTF-8"},
		{"png named svg", "x.svg", "\x89PNG\r\n\x1a\n", "x.svg"},
		{"not a picture", "x.png", "#!/bin/sh\nrm -rf /\n", "not a readable PNG"},
		{"shell script", "install.sh", "rm -rf /\n", "not a PNG, JPEG or SVG"},
		{"no extension", "picture", string(good), "not a PNG, JPEG or SVG"},
	} {
		before := head()
		resp, body := f.postFile(t, c, "/studio/d/"+id+"/upload?lang=en", url.Values{"base": {itoa(before)}}, "picture", tc.file, []byte(tc.data))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %s %.300s", tc.name, resp.Status, body)
		}
		if head() != before {
			t.Errorf("%s: a revision was saved", tc.name)
		}
	}
	for _, tc := range []struct{ file, stored string }{
		{"../../../etc/passwd.svg", "media/uploads/passwd.svg"},
		{`..\..\win.svg`, "media/uploads/win.svg"},
		{"<img src=x onerror=alert(1)>.svg", "media/uploads/img-src-x-onerror-alert-1.svg"},
		{"Kitchen Scene (2).SVG", "media/uploads/kitchen-scene-2.svg"},
		{"厨房.svg", "media/uploads/picture.svg"},
		{".hidden.svg", "media/uploads/hidden.svg"},
		{"a?b*c:d|e.svg", "media/uploads/a-b-c-d-e.svg"},
	} {
		resp, body := f.postFile(t, c, "/studio/d/"+id+"/upload", url.Values{"base": {itoa(head())}}, "picture", tc.file, good)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%q: %s %.200s", tc.file, resp.Status, body)
			continue
		}
		r, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
		if !bytes.Equal(r.Files[tc.stored], good) {
			var names []string
			for n := range r.Files {
				if strings.HasPrefix(n, "media/uploads/") {
					names = append(names, n)
				}
			}
			t.Errorf("%q was not stored as %s: %v", tc.file, tc.stored, names)
		}
		for n := range r.Files {
			if !strings.HasPrefix(n, "media/") && !strings.HasPrefix(n, "modules/") && n != "pack.yaml" {
				t.Errorf("a file outside the pack's folders: %q", n)
			}
		}
	}
	// Control characters in the name: the form itself is refused.
	before := head()
	if resp, _ := f.postFile(t, c, "/studio/d/"+id+"/upload", url.Values{"base": {itoa(before)}}, "picture", "a\x01b\x00.svg", good); resp.StatusCode != http.StatusBadRequest || head() != before {
		t.Errorf("a name with control characters: %s", resp.Status)
	}
	// The same name with other bytes is kept beside, not over, the first.
	other := bytes.Replace(good, []byte("#c62828"), []byte("#1565c0"), 1)
	f.postFile(t, c, "/studio/d/"+id+"/upload", url.Values{"base": {itoa(head())}}, "picture", "passwd.svg", other)
	r, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
	if !bytes.Equal(r.Files["media/uploads/passwd.svg"], good) || !bytes.Equal(r.Files["media/uploads/passwd-2.svg"], other) {
		t.Error("a second picture of the same name replaced the first")
	}
	// The stored pictures are served sandboxed.
	req, _ := http.NewRequest("GET", f.srv.URL+"/studio/d/"+id+"/media/media/uploads/passwd.svg", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("served as %q with %q", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
	}
	if code, _ := get(t, c, f.srv.URL+"/studio/d/"+id+"/media/pack.yaml"); code != http.StatusNotFound {
		t.Errorf("a non-media file served: %d", code)
	}
}

// TestStudioHostileTexts: texts that are markup, YAML syntax or template
// syntax are kept exactly as typed (the YAML written quotes them), and
// come back escaped on the page; a value over the field limit is refused.
func TestStudioHostileTexts(t *testing.T) {
	f := newFixture(t)
	c := f.editor(t)
	id := f.newDraft(t, c)
	const key = "f:modules/fire.yaml|steps[1].prompt."
	for _, s := range []string{
		`<script>alert(1)</script>`,
		`" onmouseover="alert(1)`,
		`{{.CSRF}} {{template "x"}}`,
		"key: value # not a comment",
		"*alias &anchor !!binary ---",
		"- a\n- b\n...",
		"'quoted' \"double\" \\ back",
		"tab\there and a\u2028line separator",
		"@, `, |, >, %",
	} {
		_, body := get(t, c, f.srv.URL+"/studio/d/"+id+"/m/fire/s/1")
		vals := formOf(t, body)
		vals.Set(key+"en", s)
		vals.Set("op", "save")
		if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%q: %s", s, resp.Status)
		}
		r, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
		p, err := r.Files.Load()
		if err != nil {
			t.Fatalf("%q: the saved pack does not load: %v", s, err)
		}
		if got := p.Mods[1].Steps[1].Prompt["en"]; got != strings.TrimSpace(s) && got != s {
			t.Errorf("%q came back as %q", s, got)
		}
		_, page := get(t, c, f.srv.URL+"/studio/d/"+id+"/m/fire/s/1")
		if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, `" onmouseover="alert(1)`) {
			t.Errorf("%q is not escaped on the page", s)
		}
	}
	_, body := get(t, c, f.srv.URL+"/studio/d/"+id+"/m/fire/s/1")
	vals := formOf(t, body)
	vals.Set(key+"en", strings.Repeat("x", 5000))
	if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a 5000-byte text: %s", resp.Status)
	}
	// A field name that names no field, or a file outside the pack.
	for _, name := range []string{"f:../../etc/passwd|x", "f:modules/fire.yaml|steps[1].nosuch", "f:pack.yaml|modules"} {
		vals := formOf(t, body)
		vals.Set(name, "x")
		if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s", name, resp.Status)
		}
	}
}
