package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

func assetHandler() http.Handler {
	sub, _ := fs.Sub(assetFS, "assets")
	fsrv := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

type templates struct {
	pages map[string]*template.Template
}

var pageNames = []string{"login", "overview", "site", "report", "error", "studio", "studio_pack", "studio_module", "studio_step", "studio_publish", "studio_release", "studio_preview"}

// pageFiles are the templates of a page: the layout, the page, and for
// the studio's pages the parts they share.
func pageFiles(name string) []string {
	fs := []string{"templates/layout.html", "templates/" + name + ".html"}
	if strings.HasPrefix(name, "studio") {
		fs = append(fs, "templates/studio_parts.html")
	}
	return fs
}

func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		p, err := template.New("layout.html").Funcs(template.FuncMap{
			"add":     func(a, b int64) int64 { return a + b },
			"add1":    func(a int) int { return a + 1 },
			"int64":   func(a uint64) int64 { return int64(a) },
			"plural":  plural,
			"pending": pendingRows,
			"anchor":  anchor,
		}).ParseFS(templateFS, pageFiles(name)...)
		if err != nil {
			return nil, err
		}
		t.pages[name] = p
	}
	return t, nil
}

// view is what every page's template gets: the language, the user, the
// URL of this page in the other language, and the page's own data.
type view struct {
	Lang
	User      string
	Open      bool   // no login configured
	CSRF      string // the token every state-changing form sends (csrf.go)
	Studio    bool   // the user has the content role: the studio's link shows
	Refresh   int    // seconds after which the page reloads itself (0: never)
	Title     string
	OtherLang string // this page's URL in the other language
	Page      string
	Data      any
	Generated time.Time
}

func (s *Server) newView(w http.ResponseWriter, r *http.Request) *view {
	l := pickLang(w, r)
	other := "en"
	if l == EN {
		other = "zh"
	}
	return &view{Lang: l, OtherLang: with(r.URL, "lang", other), Generated: s.opts.Now(), CSRF: s.CSRFToken(w, r)}
}

// StudioPage is a page of the studio (its stylesheet and script load).
func (v *view) StudioPage() bool { return strings.HasPrefix(v.Page, "studio") }

// HTMLLang is the page's lang attribute.
func (v *view) HTMLLang() string {
	if v.Lang == EN {
		return "en"
	}
	return "zh-Hans"
}

func (s *Server) render(w http.ResponseWriter, v *view, page string, data any) {
	v.Page, v.Data = page, data
	var buf bytes.Buffer
	if err := s.tpl.pages[page].Execute(&buf, v); err != nil {
		s.opts.Log.Error("dashboard: render", "page", page, "err", err)
		http.Error(w, "the page could not be drawn; the hub's log says why", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) fail(w http.ResponseWriter, v *view, code int, msg string) {
	w.WriteHeader(code)
	s.render(w, v, "error", msg)
}
