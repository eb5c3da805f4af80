// Package web is the hub's dashboard: server-rendered pages (overview, site,
// report) on the hub's query API (edge/hub), staff login, and the guard in
// front of the JSON API, all served by the hub's own HTTP server.
//
// Everything the pages need is in the binary (html/template, embed): no
// CDN, no external request, because district networks are often closed.
// Charts are SVG drawn on the server, each with its numbers in a table
// beside it; the one script (assets/live.js, no inline script, so the CSP
// can forbid them) only applies the overview's live updates, which arrive
// as server-sent events.
//
// # Who may look
//
// Staff log in with a name and password (a hub with no users configured,
// listening on loopback only, serves its pages without a login, and says
// so on every page); the config keeps only argon2id
// hashes (internal/phc, the PHC form the kiosk PIN uses). A login sets an
// HttpOnly, SameSite=Strict session cookie (Secure under TLS); five wrong
// passwords lock that user for five minutes. The JSON API (/api/v1/) and
// /metrics also take a read-only bearer token (Authorization: Bearer ...),
// for scripts and Prometheus. /healthz stays open for load balancers.
//
// # Language and time
//
// Chinese and English, switched on every page (?lang=, kept in a cookie),
// by default from Accept-Language. Every time is shown in the site's own
// time zone, named beside it; a site whose devices have not named their
// zone yet says so rather than showing UTC.
package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/internal/phc"
)

// Options configure the dashboard. Zero fields get safe defaults.
type Options struct {
	// Users maps a staff login name to its PHC password hash (made by
	// `wufang-hub hash-password`).
	Users map[string]string
	// Roles maps a user to the roles beyond looking (http.roles): only
	// RoleContent so far, the studio's (roles.go).
	Roles map[string][]string
	// Offers withdraws offers and offers previous releases for the site
	// page's offer actions (offers.go); nil: the hub serves no packs and
	// the page only shows the offers.
	Offers *hub.Offerer
	// Open serves the pages and the API without a login: for a hub with
	// no users configured that listens on loopback only (the config
	// refuses Open beyond loopback), so `wufang-hub run` with no config
	// shows its dashboard on this machine. Every page says so.
	Open bool
	// Token is the read-only API token ("" for none); TokenFromFile reads
	// it from a file.
	Token string
	// Secure marks the session cookie Secure (set when serving TLS).
	Secure bool
	// SessionTTL is how long a login lasts (default 12 h: a working day).
	SessionTTL time.Duration
	// MaxFailures wrong passwords lock a user for LockFor (5, 5 min).
	MaxFailures int
	LockFor     time.Duration
	// Live is how often the overview's live stream looks for new totals
	// (default 1 s, so a new totals shows within 2 s).
	Live time.Duration
	// Studio configures the pack studio (studio.go); nil turns it off.
	Studio *StudioOptions
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives login failures and lockouts (default slog.Default()).
	Log *slog.Logger
}

// TokenFromFile reads a read-only API token from path: the first line,
// trimmed; it must be at least 16 characters.
func TokenFromFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("api token: %w", err)
	}
	tok := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if len(tok) < 16 {
		return "", fmt.Errorf("api token %s: shorter than 16 characters; write a long random one, e.g. `head -c 24 /dev/urandom | base64 > %s`", path, path)
	}
	return tok, nil
}

// CheckUsers reports a user whose hash cannot be used, so a bad config
// fails at start rather than at the first login.
func CheckUsers(users map[string]string) error {
	for name, h := range users {
		if name == "" {
			return errors.New("http.users: a user has no name")
		}
		if err := phc.Check(h); err != nil {
			return fmt.Errorf("http.users.%s: %w; make the hash with `wufang-hub hash-password`", name, err)
		}
	}
	return nil
}

// Server serves the dashboard.
type Server struct {
	hub   *hub.Hub
	opts  Options
	tpl   *templates
	cache cache

	mu       sync.Mutex
	sessions map[string]session
	failures map[string]*failure
}

type session struct {
	user    string
	expires time.Time
	csrf    string // the token its forms send back (csrf.go)
}

type failure struct {
	n           int
	lockedUntil time.Time
}

// New returns the dashboard of h.
func New(h *hub.Hub, opts Options) (*Server, error) {
	if err := CheckUsers(opts.Users); err != nil {
		return nil, err
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 5
	}
	if opts.LockFor <= 0 {
		opts.LockFor = 5 * time.Minute
	}
	if opts.Live <= 0 {
		opts.Live = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	return &Server{hub: h, opts: opts, tpl: t, sessions: map[string]session{}, failures: map[string]*failure{}}, nil
}

const cookieName = "wufang_session"

// Handler returns the dashboard in front of api, the hub's own routes
// (JSON API, /metrics, /healthz: see hub.Routes): pages and assets, login,
// and the check that every request but the login page, the assets and
// /healthz comes from a logged-in user (or, for /api/ and /metrics, carries
// the token).
func (s *Server) Handler(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", assetHandler()))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /healthz", api.ServeHTTP)
	mux.Handle("GET /{$}", s.page(s.overview))
	mux.Handle("GET /site/{site}", s.page(s.sitePage))
	mux.Handle("GET /report", s.page(s.report))
	mux.Handle("GET /report.csv", s.page(s.reportCSV))
	mux.Handle("GET /report.xlsx", s.page(s.reportXLSX))
	mux.Handle("GET /live", s.page(s.live))
	mux.Handle("/api/", s.apiGuard(api))
	// The signed pack releases, for the rooms that download them
	// (content.from_hub): no login, a device has none; the packs are
	// signed, and a device checks the signature and the offer's SHA-256.
	mux.Handle("GET /packs/{file}", api)
	mux.Handle("GET /metrics", s.apiGuard(api))
	s.studioRoutes(mux)
	s.offerRoutes(mux)
	return headers(s.csrfGuard(mux))
}

// headers sets the security headers of every response.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// HTTPServer returns an http.Server for handler with timeouts on every
// phase, so a slow or stuck client cannot hold a connection for ever (the
// live stream lifts the write deadline for itself; each page's queries
// have their own deadline, queryTimeout).
func HTTPServer(addr string, handler http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// user returns the logged-in user of r, "" for none.
func (s *Server) user(r *http.Request) string { return s.sessionOf(r).user }

// sessionOf returns the live session of r (zero for none), forgetting it
// once it has expired.
func (s *Server) sessionOf(r *http.Request) session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[c.Value]
	if !ok {
		return session{}
	}
	if !s.opts.Now().Before(se.expires) {
		delete(s.sessions, c.Value)
		return session{}
	}
	return se
}

// page wraps a page handler: no session, to the login page (and back).
func (s *Server) page(f func(http.ResponseWriter, *http.Request, *view)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := s.user(r)
		if u == "" && !s.opts.Open {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		v := s.newView(w, r)
		v.User, v.Open = u, s.opts.Open && u == ""
		v.Studio = s.HasRole(u, RoleContent)
		w.Header().Set("Cache-Control", "no-store")
		f(w, r, v)
	})
}

func (s *Server) apiGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Open || s.user(r) != "" || s.tokenOK(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="wufang-hub"`)
		http.Error(w, "log in to the dashboard, or send the API token as Authorization: Bearer <token>", http.StatusUnauthorized)
	})
}

func (s *Server) tokenOK(r *http.Request) bool {
	if s.opts.Token == "" || r.Method != http.MethodGet {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

// ErrLocked is returned by Authenticate while a user is locked out.
var ErrLocked = errors.New("too many wrong passwords: this user is locked for 5 minutes")

// Authenticate checks a user's password, counting failures: MaxFailures
// wrong ones in a row lock the user for LockFor. An unknown user costs the
// same time as a known one, and is counted the same way.
func (s *Server) Authenticate(user, password string) error {
	now := s.opts.Now()
	s.mu.Lock()
	f := s.failures[user]
	if f != nil && now.Before(f.lockedUntil) {
		s.mu.Unlock()
		return ErrLocked
	}
	s.mu.Unlock()
	hash, known := s.opts.Users[user]
	if !known {
		hash = dummyHash()
	}
	ok, err := phc.Verify(password, hash)
	if err != nil {
		return fmt.Errorf("the password hash of %q is unusable: %w", user, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok && known {
		delete(s.failures, user)
		return nil
	}
	if len(s.failures) > 10000 { // names made up by a scanner: forget, rather than grow
		clear(s.failures)
	}
	f = s.failures[user]
	if f == nil {
		f = &failure{}
		s.failures[user] = f
	}
	f.n++
	if f.n >= s.opts.MaxFailures {
		f.n = 0
		f.lockedUntil = now.Add(s.opts.LockFor)
		s.opts.Log.Warn("dashboard login locked", "user", user, "until", f.lockedUntil)
		return ErrLocked
	}
	return errWrongPassword
}

var errWrongPassword = errors.New("wrong user name or password")

var dummyHash = sync.OnceValue(func() string {
	h, _ := phc.Hash("no such user")
	return h
})

func (s *Server) newSession(user string) string {
	id := newToken()
	exp := s.opts.Now().Add(s.opts.SessionTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	for k, v := range s.sessions {
		if !now.Before(v.expires) {
			delete(s.sessions, k)
		}
	}
	s.sessions[id] = session{user: user, expires: exp, csrf: newToken()}
	return id
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r)
	s.render(w, v, "login", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

type loginData struct {
	Next, User, Error string
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	v := s.newView(w, r)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	user, pw := r.PostFormValue("user"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	err := s.Authenticate(user, pw)
	if err != nil {
		msg := v.T("login.wrong")
		code := http.StatusUnauthorized
		if errors.Is(err, ErrLocked) {
			msg, code = v.T("login.locked"), http.StatusTooManyRequests
		} else if !errors.Is(err, errWrongPassword) {
			s.opts.Log.Error("dashboard login", "err", err)
			msg = v.T("login.broken")
		}
		w.WriteHeader(code)
		s.render(w, v, "login", loginData{Next: next, User: user, Error: msg})
		return
	}
	id := s.newSession(user)
	// MaxAge, not Expires: the browser's clock need not agree with ours.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", MaxAge: int(s.opts.SessionTTL.Seconds()), HttpOnly: true,
		Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site: a path, never
// //host or a scheme.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || strings.HasPrefix(n, "/login") {
		return "/"
	}
	return n
}

// Close forgets every session and removes the studio's previews.
func (s *Server) Close() {
	s.mu.Lock()
	clear(s.sessions)
	s.mu.Unlock()
	s.closePreviews()
}

// queryTimeout bounds the queries of one page.
const queryTimeout = 20 * time.Second

func queryContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), queryTimeout)
}
