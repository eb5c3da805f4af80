package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// # Cross-site request forgery
//
// Every request that changes state (any method but GET, HEAD and OPTIONS)
// must carry the token of its session: the hidden form field "csrf" that
// every form prints with {{.CSRF}}, or the X-CSRF-Token header a script
// sends (studio.js reads it from <meta name="csrf-token">). A logged-in
// user's token is made with the session and dies with it; before the
// login (the login form itself, and a loopback hub without users) the
// token is a random cookie of its own, wufang_csrf, so a page on another
// site can neither post a login nor read the value it would have to send.
// The session cookie is SameSite=Strict as well; the token is what holds
// when a browser or a proxy does not honour that.
//
// Requests with an Authorization header (the API's bearer tokens, which a
// browser never adds on its own to a cross-site request) are not checked
// here: their handler checks the token.

const (
	csrfCookie = "wufang_csrf"
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
	// maxForm bounds a state-changing request's body (a studio upload of
	// a picture or a .wfpack is the largest); the guard parses the form
	// to find the token, so it sets the bound.
	maxForm = 64 << 20
)

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CSRFToken returns the token a form of r must send back: the session's
// when r has one, else the pre-login cookie's (set on w when missing).
// newView puts it in every page's view as .CSRF.
func (s *Server) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if tok := s.sessionCSRF(r); tok != "" {
		return tok
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 40 {
		return c.Value
	}
	tok := newToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteStrictMode})
	// The request itself carries it from now on, so a second call for
	// the same request returns the same token.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// sessionCSRF is the token of r's live session, "" without one.
func (s *Server) sessionCSRF(r *http.Request) string { return s.sessionOf(r).csrf }

// csrfOK reports whether r carries the token it should.
func (s *Server) csrfOK(r *http.Request) bool {
	want := s.sessionCSRF(r)
	if want == "" {
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 40 {
			want = c.Value
		}
	}
	if want == "" {
		return false
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// safeMethod: the methods that never change state here.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfGuard refuses a state-changing request without its token, with 403
// and a message that says what to do. It parses the form (bounded by
// maxForm, multipart included), so handlers read r.PostForm and
// r.MultipartForm as parsed.
func (s *Server) csrfGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) || r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(8 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			http.Error(w, "the form could not be read (too large, or broken): "+err.Error(), http.StatusBadRequest)
			return
		}
		if !s.csrfOK(r) {
			v := s.newView(w, r)
			s.fail(w, v, http.StatusForbidden, v.T("csrf.refused"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
