package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCSRFRefused: every state-changing request without its session's
// token is refused with 403 and changes nothing; the login form needs the
// pre-login token; a token of another session does not do.
func TestCSRFRefused(t *testing.T) {
	f := newFixture(t)
	// A login posted without the login page's token (a login CSRF).
	c := f.client(t)
	resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"user": {testUser}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without a token: %s", resp.Status)
	}
	if code, _ := get(t, c, f.srv.URL+"/"); code != http.StatusSeeOther {
		t.Errorf("the refused login logged in: %d", code)
	}
	// With the token it works.
	if resp := f.login(t, c, testUser, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with the token: %s", resp.Status)
	}
	other := f.loggedIn(t)
	otherTok := f.csrfOf(t, other, "/")
	mine := f.csrfOf(t, c, "/")
	if otherTok == mine {
		t.Fatal("two sessions share a CSRF token")
	}
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"no token", func() *http.Request { return form("/logout", url.Values{}) }},
		{"another session's token", func() *http.Request { return form("/logout", url.Values{"csrf": {otherTok}}) }},
		{"a wrong header", func() *http.Request {
			r := form("/logout", url.Values{})
			r.Header.Set(csrfHeader, "x"+mine[1:])
			return r
		}},
		{"PUT", func() *http.Request { r, _ := http.NewRequest("PUT", "/studio", nil); return r }},
		{"DELETE", func() *http.Request { r, _ := http.NewRequest("DELETE", "/studio", nil); return r }},
		{"multipart without token", func() *http.Request {
			r, _ := http.NewRequest("POST", "/logout", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			return r
		}},
	} {
		r := tc.req()
		r.URL, _ = url.Parse(f.srv.URL + r.URL.Path)
		resp, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s", tc.name, resp.Status)
		}
		if code, _ := get(t, c, f.srv.URL+"/"); code != 200 {
			t.Fatalf("%s logged the session out: %d", tc.name, code)
		}
	}
	// The refusal says what to do, in the page's language.
	r := form("/logout", url.Values{})
	r.URL, _ = url.Parse(f.srv.URL + "/logout?lang=en")
	resp, _ = c.Do(r)
	b := readAll(t, resp)
	if !strings.Contains(b, "reload the page and send it again") {
		t.Errorf("refusal reads %s", b)
	}
	// A header token (what studio.js sends) works as the form field does.
	r = form("/logout", url.Values{})
	r.URL, _ = url.Parse(f.srv.URL + "/logout")
	r.Header.Set(csrfHeader, mine)
	resp, _ = c.Do(r)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with the header token: %s", resp.Status)
	}
	// The API's bearer-token requests are not the guard's (their handler
	// checks the token).
	r, _ = http.NewRequest("POST", f.srv.URL+"/api/v1/x", nil)
	r.Header.Set("Authorization", "Bearer whatever")
	resp, _ = http.DefaultClient.Do(r)
	if b := readAll(t, resp); b != "api /api/v1/x" && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bearer POST: %d %s", resp.StatusCode, b)
	}
}

func form(path string, v url.Values) *http.Request {
	r, _ := http.NewRequest("POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestStudioNeedsContentRole: a staff member without the content role
// reaches no studio page or action (403, with what to ask for); one with it
// does; an open hub (no users) has nobody with the role.
func TestStudioNeedsContentRole(t *testing.T) {
	f := newFixture(t)
	plain := f.loggedIn(t)
	editor := f.editor(t)
	for _, rt := range studioPaths(t) {
		p := rt[1]
		if rt[0] == "GET" {
			code, body := get(t, plain, f.srv.URL+p+sep(p)+"lang=en")
			if code != http.StatusForbidden || !strings.Contains(body, "Your login (wang) may not edit content packs") ||
				!strings.Contains(body, "http.roles.wang") {
				t.Errorf("GET %s without the role: %d %.300s", p, code, body)
			}
			continue
		}
		if resp := f.post(t, plain, p, url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s without the role: %s", rt[0], p, resp.Status)
		}
	}
	if code, body := get(t, editor, f.srv.URL+"/studio?lang=en"); code != 200 || !strings.Contains(body, `id="studio"`) {
		t.Errorf("the editor's studio: %d", code)
	}
	if _, body := get(t, editor, f.srv.URL+"/"); !strings.Contains(body, `id="nav-studio"`) {
		t.Error("the editor has no link to the studio")
	}
	if _, body := get(t, plain, f.srv.URL+"/"); strings.Contains(body, `id="nav-studio"`) {
		t.Error("a user without the role is shown the studio's link")
	}
	f.web.opts.Open = true
	if code, body := get(t, f.client(t), f.srv.URL+"/studio?lang=en"); code != http.StatusForbidden || !strings.Contains(body, "The studio needs a staff login") {
		t.Errorf("open hub's studio: %d %.300s", code, body)
	}
}

// studioPaths are the paths of every studio route, wildcards filled.
func studioPaths(t *testing.T) [][2]string {
	var out [][2]string
	for _, rt := range (&Server{}).studioTable() {
		if rt.method != "GET" && rt.method != "POST" {
			t.Fatalf("%s %s: the test knows GET and POST", rt.method, rt.path)
		}
		out = append(out, [2]string{rt.method, studioPathOf(rt.path, "1")})
	}
	if len(out) == 0 {
		t.Fatal("no studio routes")
	}
	return out
}
