package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Previews are drawn by the kiosk's own renderer, wufang-render (the
// hub never imports the kiosk: it runs the installed binary, as
// wufang-pack render does), into a folder per draft revision, size and
// language, kept for the hub's lifetime (the last previewKeep of them).

const previewKeep = 8

// previews is the studio's cache of drawn previews.
type previews struct {
	render sync.Mutex // one render at a time: it takes both cores of a small hub
	mu     sync.Mutex // the map
	dirs   map[string]*preview
	ctx    context.Context
	stop   context.CancelFunc // kills the renders when the server closes
	order  []string
	root   string
}

// renderer finds wufang-render: StudioOptions.Renderer, beside this
// binary, or on PATH.
func (s *Server) renderer() (string, error) {
	if p := s.opts.Studio.Renderer; p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "wufang-render"); fileExists(p) {
			return p, nil
		}
	}
	return exec.LookPath("wufang-render")
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// PreviewPage is the preview of a draft's latest revision.
type PreviewPage struct {
	*draftPage
	Sizes, Langs    []string
	Size, Lang, Mod string
	NoRenderer      string // why the renderer cannot be run
	Key             string
	Images          []string
	Output, Failed  string
	Drawn, Pending  bool
}

var previewSizes = []string{"800x480", "1920x1080"}

func (s *Server) studioPreview(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return
	}
	q := r.URL.Query()
	pp := &PreviewPage{draftPage: dp, Sizes: previewSizes, Langs: dp.Pack.Languages, Size: q.Get("size"), Lang: q.Get("lang"), Mod: q.Get("module")}
	dp.Crumbs = append(dp.Crumbs, crumb{v.T("studio.preview"), r.URL.Path})
	v.Title = v.T("studio.preview")
	bin, err := s.renderer()
	if err != nil {
		pp.NoRenderer = err.Error()
		s.render(w, v, "studio_preview", pp)
		return
	}
	if !slices.Contains(previewSizes, pp.Size) || !slices.Contains(pp.Langs, pp.Lang) {
		s.render(w, v, "studio_preview", pp)
		return
	}
	pp.Drawn = true
	pp.Key = fmt.Sprintf("%s-%d-%s-%s", dp.Draft.ID, dp.Draft.Head, pp.Size, pp.Lang)
	pv, err := s.drawPreview(bin, pp.Key, dp)
	pp.Output, pp.Failed, pp.Pending = pv.out, pv.failed, !pv.done
	if err != nil {
		pp.Failed = err.Error()
	}
	if pp.Pending {
		v.Refresh = 5
	}
	if pv.done && pv.failed == "" {
		names, _ := filepath.Glob(filepath.Join(pv.dir, "*.png"))
		for _, n := range names {
			base := filepath.Base(n)
			if base == "contact.png" || (pp.Mod != "" && !strings.Contains(base, "-"+pp.Mod+"-")) {
				continue
			}
			pp.Images = append(pp.Images, base)
		}
	}
	s.render(w, v, "studio_preview", pp)
}

// preview is one drawing: pending while the renderer runs, then its
// folder (or why it failed) and the renderer's output.
type preview struct {
	dir, out, failed string
	done             bool
}

// drawPreview starts the renderer on the revision once per key, in the
// background (drawing every screen of a pack takes a minute or more on a
// small hub, longer than a request may), and returns its state. A
// renderer's exit 1 (screens that do not fit) still draws every screen,
// and the output says which.
func (s *Server) drawPreview(bin, key string, dp *draftPage) (preview, error) {
	c := &s.opts.Studio.previews
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirs == nil {
		c.dirs = map[string]*preview{}
	}
	if p, ok := c.dirs[key]; ok {
		return *p, nil
	}
	if c.root == "" {
		root, err := os.MkdirTemp("", "wufang-studio-preview-")
		if err != nil {
			return preview{}, err
		}
		c.root = root
		c.ctx, c.stop = context.WithCancel(context.Background())
	}
	dir := filepath.Join(c.root, key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return preview{}, err
	}
	pack, err := dp.Files.Unsigned()
	if err != nil {
		return preview{}, err
	}
	packFile := filepath.Join(dir, "draft.wfpack")
	if err := os.WriteFile(packFile, pack, 0o600); err != nil {
		return preview{}, err
	}
	p := &preview{dir: dir}
	c.dirs[key] = p
	c.order = append(c.order, key)
	if len(c.order) > previewKeep {
		old := c.order[0]
		c.order = c.order[1:]
		if op := c.dirs[old]; op.done {
			os.RemoveAll(op.dir)
		}
		delete(c.dirs, old)
	}
	size, lang, _ := strings.Cut(strings.TrimPrefix(key, fmt.Sprintf("%s-%d-", dp.Draft.ID, dp.Draft.Head)), "-")
	go func() {
		c.render.Lock() // one at a time
		defer c.render.Unlock()
		c.mu.Lock()
		parent := c.ctx
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(parent, 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, packFile, "--size", size, "--lang", lang, "--out", dir)
		cmd.Env = append(os.Environ(), "LANG=C.UTF-8") // a service's bare C locale makes Fyne complain on every run
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			err = nil // misfits: drawn, and listed in the output
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p.out, p.done = string(out), true
		if err != nil {
			p.failed = fmt.Sprintf("%s: %v", filepath.Base(bin), err)
		}
	}()
	return *p, nil
}

var (
	previewKey  = regexp.MustCompile(`^[0-9a-f]{16}-[0-9]+-[0-9]+x[0-9]+-[A-Za-z0-9-]+$`)
	previewFile = regexp.MustCompile(`^[0-9a-z-]+\.png$`)
)

func (s *Server) studioPreviewImage(w http.ResponseWriter, r *http.Request, v *view) {
	key, file := r.PathValue("key"), r.PathValue("file")
	if !previewKey.MatchString(key) || !previewFile.MatchString(file) || !strings.HasPrefix(key, r.PathValue("draft")+"-") {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nomedia"))
		return
	}
	c := &s.opts.Studio.previews
	c.mu.Lock()
	p, ok := c.dirs[key]
	done, dir := ok && p.done, ""
	if ok {
		dir = p.dir
	}
	c.mu.Unlock()
	if !done {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nomedia"))
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=600")
	http.ServeFile(w, r, filepath.Join(dir, file))
}

// closePreviews removes the drawn previews (the hub is stopping); a
// render still running finds its folder gone and fails quietly.
func (s *Server) closePreviews() {
	if s.opts.Studio == nil {
		return
	}
	c := &s.opts.Studio.previews
	c.mu.Lock()
	if c.stop != nil {
		c.stop() // a render still running is killed...
	}
	c.mu.Unlock()
	c.render.Lock() // ...and has ended
	defer c.render.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.root != "" {
		os.RemoveAll(c.root)
		c.root, c.dirs, c.order = "", nil, nil
	}
}
