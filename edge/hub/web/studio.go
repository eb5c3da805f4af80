package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/hub/studio"
)

// StudioOptions configure the studio (issue 20). Without a Store the
// studio's pages say it is not set up.
type StudioOptions struct {
	Store *studio.Store
	// PacksDir holds the installed .wfpack files a draft may start from
	// (content.packs_dir), and receives the signed releases.
	PacksDir string
	// Trusted are the keys a signed release must be signed with
	// (content.trusted_keys).
	Trusted []content.PublicKey
	// SigningKeyFile, when set, lets the hub sign releases itself
	// (content.signing_key_file, mode 0600).
	SigningKeyFile string
	// Renderer is the kiosk's renderer (wufang-render) for previews; ""
	// looks for it beside wufang-hub, then on PATH.
	Renderer string

	previews previews
}

// studioRoute is one page or action of the studio.
type studioRoute struct {
	method, path string
	f            func(http.ResponseWriter, *http.Request, *view)
}

// studioTable lists every studio route; studioRoutes puts each behind the
// content role (withRole), and the CSRF guard in front of every route
// checks those that change state. The role test walks this table, so a
// new route cannot miss the check.
func (s *Server) studioTable() []studioRoute {
	return []studioRoute{
		{"GET", "/studio", s.studioIndex},
		{"POST", "/studio/new", s.studioNew},
		{"GET", "/studio/d/{draft}", s.studioPack},
		{"GET", "/studio/d/{draft}/m/{module}", s.studioModule},
		{"GET", "/studio/d/{draft}/m/{module}/s/{step}", s.studioStep},
		{"POST", "/studio/d/{draft}/save", s.studioSave},
		{"POST", "/studio/d/{draft}/check", s.studioCheck},
		{"GET", "/studio/d/{draft}/media/{path...}", s.studioMedia},
		{"POST", "/studio/d/{draft}/upload", s.studioUpload},
		{"GET", "/studio/d/{draft}/preview", s.studioPreview},
		{"GET", "/studio/d/{draft}/preview/{key}/{file}", s.studioPreviewImage},
		{"GET", "/studio/d/{draft}/publish", s.studioPublishPage},
		{"POST", "/studio/d/{draft}/publish", s.studioPublish},
		{"GET", "/studio/r/{pack}/{version}", s.studioRelease},
		{"GET", "/studio/r/{pack}/{version}/unsigned", s.studioUnsigned},
		{"GET", "/studio/r/{pack}/{version}/signed", s.studioSignedFile},
		{"GET", "/studio/r/{pack}/{version}/review", s.studioFacts},
		{"POST", "/studio/r/{pack}/{version}/signed", s.studioSigned},
		{"POST", "/studio/r/{pack}/{version}/sign", s.studioSignOnHub},
		{"POST", "/studio/r/{pack}/{version}/offer", s.studioOffer},
	}
}

func (s *Server) studioRoutes(mux *http.ServeMux) {
	for _, rt := range s.studioTable() {
		mux.Handle(rt.method+" "+rt.path, s.withRole(RoleContent, rt.f))
	}
}

// studioPathOf fills a route's wildcards ({draft} and the like) with v.
func studioPathOf(path, v string) string {
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return path
		}
		j := strings.Index(path[i:], "}")
		path = path[:i] + v + path[i+j+1:]
	}
}

func (s *Server) store(w http.ResponseWriter, v *view) *studio.Store {
	if s.opts.Studio == nil || s.opts.Studio.Store == nil {
		s.fail(w, v, http.StatusServiceUnavailable, v.T("studio.off"))
		return nil
	}
	return s.opts.Studio.Store
}

// StudioIndex is the studio's first page: the drafts, and where a new
// one may start from.
type StudioIndex struct {
	Drafts    []studio.Draft
	Installed []string
}

func (s *Server) studioIndex(w http.ResponseWriter, r *http.Request, v *view) {
	st := s.store(w, v)
	if st == nil {
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	ds, err := st.Drafts(ctx)
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	v.Title = v.T("studio.title")
	s.render(w, v, "studio", StudioIndex{Drafts: ds, Installed: s.installedPacks()})
}

// installedPacks are the .wfpack files in the packs folder.
func (s *Server) installedPacks() []string {
	if s.opts.Studio.PacksDir == "" {
		return nil
	}
	es, _ := os.ReadDir(s.opts.Studio.PacksDir)
	var out []string
	for _, e := range es {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), content.Extension) {
			out = append(out, e.Name())
		}
	}
	return out
}

// maxWfpack bounds an uploaded pack (the reader's own limit on the
// unpacked size is larger; a pack of pictures for a 7-inch screen is far
// below this).
const maxWfpack = 48 << 20

func (s *Server) studioNew(w http.ResponseWriter, r *http.Request, v *view) {
	st := s.store(w, v)
	if st == nil {
		return
	}
	var files studio.Files
	var err error
	note := ""
	switch r.PostFormValue("source") {
	case "builtin":
		files, err = studio.FromFS(builtin.FS())
		note = v.T("studio.from.builtin")
	case "installed":
		name := r.PostFormValue("installed")
		if !slices.Contains(s.installedPacks(), name) {
			s.fail(w, v, http.StatusBadRequest, v.T("studio.bad.installed"))
			return
		}
		var b []byte
		b, err = readCapped(filepath.Join(s.opts.Studio.PacksDir, name))
		if err == nil {
			files, err = studio.FromWfpack(b)
		}
		note = name
	case "upload":
		var b []byte
		b, err = uploaded(r, "wfpack", maxWfpack)
		if err == nil {
			files, err = studio.FromWfpack(b)
		}
		note = v.T("studio.from.upload")
	default:
		s.fail(w, v, http.StatusBadRequest, v.T("studio.bad.source"))
		return
	}
	if err == nil {
		_, err = files.Load()
	}
	if err != nil {
		s.fail(w, v, http.StatusBadRequest, v.T("studio.bad.pack")+" "+err.Error())
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 80 {
		name = note
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	id, err := st.Create(ctx, name, v.User, note, files)
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	http.Redirect(w, r, "/studio/d/"+id, http.StatusSeeOther)
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxWfpack+1))
	if err == nil && len(b) > maxWfpack {
		err = fmt.Errorf("%s is larger than %d MiB", filepath.Base(path), maxWfpack>>20)
	}
	return b, err
}

// uploaded reads the file of form field name (the CSRF guard has parsed
// the multipart form).
func uploaded(r *http.Request, name string, limit int64) ([]byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[name]) == 0 {
		return nil, errors.New("no file was sent")
	}
	fh := r.MultipartForm.File[name][0]
	if fh.Size > limit {
		return nil, fmt.Errorf("the file is %d MiB; at most %d MiB", fh.Size>>20, limit>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// draftPage is what every page of a draft has.
type draftPage struct {
	Draft    studio.Draft
	Pack     *content.Pack
	Files    studio.Files
	Problems content.Problems // all of the draft's, from the validator
	Errors   int
	Warnings int
	// Here is the part of the pack the page edits.
	File, Back string
	Fields     []*Field
	Left       content.Problems // the problems of this part that no field took
	Crumbs     []crumb
	Module     *content.Module
	ModuleID   string
	StepIndex  int
	Step       *content.Step
	Steps      []stepRow
	Revisions  []studio.Revision
	Links      []problemLink
	Saved      string
	Uploaded   string
	// Scope is the part of File the page edits, for studio.js: "" the
	// whole file, "module" all but the steps, or one step's key.
	Scope string
}

type crumb struct{ Text, Href string }

type stepRow struct {
	Index                  int
	ID, Type, Text, Href   string
	Errors, Warnings, Last int
}

type problemLink struct {
	content.Problem
	Href string
}

var draftID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// loadDraft reads the draft of the request's {draft} at its latest
// revision, decodes and validates it.
// loadDraftAtHead is loadDraft for a form that changes the draft: the
// form's base must be the draft's head revision, else it was made from an
// older one and is refused (409), so one editor cannot undo another's
// change unseen.
func (s *Server) loadDraftAtHead(w http.ResponseWriter, r *http.Request, v *view) *draftPage {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return nil
	}
	if base, err := strconv.Atoi(r.PostFormValue("base")); err != nil || base != dp.Draft.Head {
		s.fail(w, v, http.StatusConflict, v.T("studio.conflict"))
		return nil
	}
	return dp
}

func (s *Server) loadDraft(w http.ResponseWriter, r *http.Request, v *view) *draftPage {
	st := s.store(w, v)
	if st == nil {
		return nil
	}
	id := r.PathValue("draft")
	if !draftID.MatchString(id) {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nodraft"))
		return nil
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	d, err := st.Draft(ctx, id)
	if errors.Is(err, studio.ErrNotFound) {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nodraft"))
		return nil
	}
	var rev studio.Revision
	if err == nil {
		rev, err = st.Revision(ctx, id, d.Head)
	}
	var p *content.Pack
	if err == nil {
		p, err = rev.Files.Load()
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return nil
	}
	_, probs := rev.Files.Check()
	dp := &draftPage{Draft: d, Pack: p, Files: rev.Files, Problems: probs, Errors: len(probs.Errors()), Warnings: len(probs.Warnings())}
	dp.Revisions, _ = st.Revisions(ctx, id)
	if len(dp.Revisions) > 10 {
		dp.Revisions = dp.Revisions[:10]
	}
	dp.Crumbs = []crumb{{v.T("studio.title"), "/studio"}, {d.Name, "/studio/d/" + id}}
	for _, pr := range probs {
		dp.Links = append(dp.Links, problemLink{pr, s.problemHref(dp, pr)})
	}
	dp.Saved, dp.Uploaded = r.URL.Query().Get("saved"), r.URL.Query().Get("uploaded")
	return dp
}

// problemHref is the page of the draft where the field of pr is.
func (s *Server) problemHref(dp *draftPage, pr content.Problem) string {
	base := "/studio/d/" + dp.Draft.ID
	mod, ok := strings.CutPrefix(pr.File, "modules/")
	if !ok {
		return base + "#" + anchor(pr.Key)
	}
	mod = strings.TrimSuffix(mod, ".yaml")
	if i, ok := stepIndex(pr.Key); ok {
		return fmt.Sprintf("%s/m/%s/s/%d#%s", base, url.PathEscape(mod), i, anchor(pr.Key))
	}
	return base + "/m/" + url.PathEscape(mod) + "#" + anchor(pr.Key)
}

func stepIndex(key string) (int, bool) {
	rest, ok := strings.CutPrefix(key, "steps[")
	if !ok {
		return 0, false
	}
	n, _, _ := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	return i, err == nil
}

// anchor is a key as an element id: the fields' ids are "k-" and the key
// with every character but letters and digits as '-'.
func anchor(key string) string {
	b := []byte("k-" + key)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}

func (s *Server) builder(v *view, dp *draftPage, file string) *formBuilder {
	return &formBuilder{v: v, p: dp.Pack, file: file, media: dp.Files.Media()}
}

func (s *Server) studioPack(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return
	}
	dp.File, dp.Back = "pack.yaml", r.URL.Path
	dp.Fields = s.builder(v, dp, dp.File).fields("", reflect.ValueOf(dp.Pack), []string{"id", "version", "title", "languages", "min_app_version", "attract"})
	dp.Left = attach(dp.Fields, dp.File, dp.Problems)
	v.Title = dp.Draft.Name
	s.render(w, v, "studio_pack", dp)
}

func (s *Server) module(w http.ResponseWriter, r *http.Request, v *view, dp *draftPage) bool {
	id := r.PathValue("module")
	for _, m := range dp.Pack.Mods {
		if m.ID == id {
			dp.Module, dp.ModuleID, dp.File = m, id, content.ModuleFile(id)
			dp.Crumbs = append(dp.Crumbs, crumb{v.Text(m.Title, dp.Pack), "/studio/d/" + dp.Draft.ID + "/m/" + id})
			return true
		}
	}
	s.fail(w, v, http.StatusNotFound, v.T("studio.nomodule"))
	return false
}

func (s *Server) studioModule(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil || !s.module(w, r, v, dp) {
		return
	}
	dp.Back, dp.Scope = r.URL.Path, "module"
	dp.Fields = s.builder(v, dp, dp.File).fields("", reflect.ValueOf(dp.Module), []string{"title", "summary", "colour", "icon", "hotline", "pass_score", "remember", "banks"})
	for i, st := range dp.Module.Steps {
		row := stepRow{Index: i, ID: st.ID, Type: st.Type, Text: v.Text(st.Title, dp.Pack), Last: len(dp.Module.Steps) - 1,
			Href: fmt.Sprintf("/studio/d/%s/m/%s/s/%d", dp.Draft.ID, dp.ModuleID, i)}
		if row.Text == "" {
			row.Text = v.Text(st.Prompt, dp.Pack)
		}
		for _, pr := range dp.Problems {
			if j, ok := stepIndex(pr.Key); ok && j == i && pr.File == dp.File {
				if pr.Severity == content.SevError {
					row.Errors++
				} else {
					row.Warnings++
				}
			}
		}
		dp.Steps = append(dp.Steps, row)
	}
	left := attach(dp.Fields, dp.File, dp.Problems)
	for _, pr := range left {
		if _, ok := stepIndex(pr.Key); !ok && pr.File == dp.File {
			dp.Left = append(dp.Left, pr)
		}
	}
	v.Title = v.Text(dp.Module.Title, dp.Pack)
	s.render(w, v, "studio_module", dp)
}

func (s *Server) studioStep(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil || !s.module(w, r, v, dp) {
		return
	}
	i, err := strconv.Atoi(r.PathValue("step"))
	if err != nil || i < 0 || i >= len(dp.Module.Steps) {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nostep"))
		return
	}
	dp.StepIndex, dp.Step, dp.Back, dp.Scope = i, &dp.Module.Steps[i], r.URL.Path, fmt.Sprintf("steps[%d]", i)
	b := s.builder(v, dp, dp.File)
	for _, st := range dp.Step.Situations {
		b.situations = append(b.situations, st.ID)
	}
	for _, o := range dp.Step.Outcomes {
		b.outcomes = append(b.outcomes, o.ID)
	}
	keys := append([]string{"id", "type"}, content.StepKeys(dp.Step.Type)...)
	dp.Fields = b.fields(fmt.Sprintf("steps[%d]", i), reflect.ValueOf(dp.Step), keys)
	left := attach(dp.Fields, dp.File, dp.Problems)
	for _, pr := range left {
		if j, ok := stepIndex(pr.Key); ok && j == i && pr.File == dp.File {
			dp.Left = append(dp.Left, pr)
		}
	}
	dp.Crumbs = append(dp.Crumbs, crumb{fmt.Sprintf("%d · %s", i+1, dp.Step.ID), r.URL.Path})
	v.Title = dp.Step.ID
	s.render(w, v, "studio_step", dp)
}

// Text is t in the page's language when the pack has it (zh is zh-CN
// or any zh-…), else in the pack's first language.
func (v *view) Text(t content.Text, p *content.Pack) string {
	for _, l := range p.Languages {
		if strings.HasPrefix(l, string(v.Lang)) && t[l] != "" {
			return t[l]
		}
	}
	if len(p.Languages) > 0 {
		return t[p.Languages[0]]
	}
	return ""
}

// studioSave applies a page's form to the draft's latest revision and
// saves the result as the next revision: every field, then the one
// action its button names (op: save; add, del, up or down with the list
// element's file|key; addstep with the module file and steptype).
func (s *Server) studioSave(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraftAtHead(w, r, v)
	if dp == nil {
		return
	}
	back := backOf(dp, r)
	files, anchorKey, bad := applyForm(dp, r, true)
	if len(bad) > 0 {
		s.fail(w, v, http.StatusBadRequest, v.T("studio.notsaved")+" "+strings.Join(bad, "; "))
		return
	}
	rev, ok := s.saveRevision(w, r, v, dp, strings.TrimSpace(r.PostFormValue("note")), files)
	if !ok {
		return
	}
	to := back + "?saved=" + strconv.Itoa(rev)
	if anchorKey != "" {
		to += "#" + anchor(anchorKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// saveRevision saves files as the revision after the draft's head, answering
// the request itself when that fails (409 when someone saved in between).
func (s *Server) saveRevision(w http.ResponseWriter, r *http.Request, v *view, dp *draftPage, note string, files studio.Files) (int, bool) {
	ctx, cancel := queryContext(r)
	defer cancel()
	rev, err := s.opts.Studio.Store.Save(ctx, dp.Draft.ID, dp.Draft.Head, v.User, note, files)
	if errors.Is(err, studio.ErrConflict) {
		s.fail(w, v, http.StatusConflict, v.T("studio.conflict"))
		return 0, false
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return 0, false
	}
	return rev, true
}

// backOf is the page a form of the draft returns to: its "back", when
// that is a page of this draft.
func backOf(dp *draftPage, r *http.Request) string {
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/studio/d/"+dp.Draft.ID) || strings.ContainsAny(back, "?#\\") {
		return "/studio/d/" + dp.Draft.ID
	}
	return back
}

// applyForm applies the form of r to the draft's decoded pack: every
// field, then (with op) the action its button names. It returns the
// draft's files with the pack written back, the key of the list element
// an action made or moved, and what could not be applied.
func applyForm(dp *draftPage, r *http.Request, op bool) (studio.Files, string, []string) {
	p := dp.Pack
	var bad []string
	for _, name := range slices.Sorted(func(y func(string) bool) {
		for k := range r.PostForm {
			if !y(k) {
				return
			}
		}
	}) {
		fk, ok := strings.CutPrefix(name, "f:")
		if !ok {
			continue
		}
		file, key, ok := strings.Cut(fk, "|")
		vals := r.PostForm[name]
		if !ok || len(vals) == 0 {
			continue
		}
		if err := studio.Set(p, file, key, vals[len(vals)-1]); err != nil {
			bad = append(bad, err.Error())
		}
	}
	anchorKey := ""
	if op {
		var err error
		op, target, _ := strings.Cut(r.PostFormValue("op"), ":")
		file, key, _ := strings.Cut(target, "|")
		switch op {
		case "", "save":
		case "add":
			anchorKey, err = studio.Add(p, file, key, "")
		case "addstep":
			anchorKey, err = studio.Add(p, file, "steps", r.PostFormValue("steptype"))
		case "del":
			err = studio.Delete(p, file, key)
		case "up", "down":
			d := -1
			if op == "down" {
				d = 1
			}
			anchorKey, err = studio.Move(p, file, key, d)
		default:
			err = fmt.Errorf("%q is not an action", op)
		}
		if err != nil {
			bad = append(bad, err.Error())
		}
	}
	files := dp.Files.Clone()
	if err := files.Put(p); err != nil {
		bad = append(bad, err.Error())
	}
	return files, anchorKey, bad
}

// CheckResult is the validator's verdict on a form not saved yet, for
// studio.js to show next to the fields as the staff member types.
type CheckResult struct {
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Problems []CheckProblem `json:"problems"`
	Unusable []string       `json:"unusable,omitempty"` // values that are not what their field takes
}

// CheckProblem is one problem, placed by file and key.
type CheckProblem struct {
	File     string `json:"file"`
	Key      string `json:"key"`
	Severity string `json:"severity"`
	Msg      string `json:"msg"`
}

// studioCheck validates the page's form applied to the latest revision,
// without saving: the same content.Check the save runs.
func (s *Server) studioCheck(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return
	}
	files, _, bad := applyForm(dp, r, false)
	_, probs := files.Check()
	res := CheckResult{Errors: len(probs.Errors()), Warnings: len(probs.Warnings()), Problems: []CheckProblem{}, Unusable: bad}
	for _, p := range probs {
		res.Problems = append(res.Problems, CheckProblem{p.File, p.Key, string(p.Severity), p.Msg})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// studioMedia serves a picture of the draft's latest revision (for the
// hotspot editor), checked as the validator checks it; an SVG is served
// with a sandbox, so even opened on its own it runs nothing.
func (s *Server) studioMedia(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return
	}
	name := r.PathValue("path")
	data, ok := dp.Files[name]
	if !ok || !strings.HasPrefix(name, "media/") {
		s.fail(w, v, http.StatusNotFound, v.T("studio.nomedia"))
		return
	}
	info, err := content.CheckMedia(name, data)
	if err != nil {
		s.fail(w, v, http.StatusUnprocessableEntity, err.Error())
		return
	}
	ct := map[string]string{content.FormatSVG: "image/svg+xml", content.FormatPNG: "image/png", content.FormatJPEG: "image/jpeg"}[info.Format]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=60")
	_, _ = w.Write(data)
}

var unsafeName = regexp.MustCompile(`[^a-z0-9._-]+`)

// MediaName is the pack path an uploaded picture is stored at:
// media/uploads/ and the file's own name, lower-cased, with anything but
// letters, digits, '.', '_' and '-' made '-' (so no path, no control
// character and no markup survives from the browser's name).
func MediaName(upload string) (string, error) {
	base := upload
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	ext := strings.ToLower(filepath.Ext(base))
	switch ext {
	case ".svg", ".png", ".jpg", ".jpeg":
	default:
		return "", fmt.Errorf("%q is not a PNG, JPEG or SVG file; convert the picture to one of those (.png, .jpg, .svg)", upload)
	}
	stem := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base))), "-"), "-.")
	if len(stem) > 60 {
		stem = strings.Trim(stem[:60], "-.")
	}
	if stem == "" {
		stem = "picture"
	}
	return "media/uploads/" + stem + ext, nil
}

// studioUpload adds a picture to the draft (a new revision), after the
// validator's own media checks; the step page's picture picker offers it
// from then on.
func (s *Server) studioUpload(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraftAtHead(w, r, v)
	if dp == nil {
		return
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["picture"]) == 0 {
		s.fail(w, v, http.StatusBadRequest, v.T("studio.nofile"))
		return
	}
	name, err := MediaName(r.MultipartForm.File["picture"][0].Filename)
	var data []byte
	if err == nil {
		data, err = uploaded(r, "picture", content.MaxImageBytes)
	}
	if err == nil {
		_, err = content.CheckMedia(name, data)
	}
	if err != nil {
		s.fail(w, v, http.StatusBadRequest, v.T("studio.badpicture")+" "+err.Error())
		return
	}
	files := dp.Files.Clone()
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 2; files[name] != nil && !bytes.Equal(files[name], data); n++ {
		name = fmt.Sprintf("%s-%d%s", stem, n, ext) // another picture of that name is kept
	}
	files[name] = data
	rev, ok := s.saveRevision(w, r, v, dp, "+ "+name, files)
	if !ok {
		return
	}
	http.Redirect(w, r, backOf(dp, r)+"?saved="+strconv.Itoa(rev)+"&uploaded="+url.QueryEscape(name), http.StatusSeeOther)
}
