package web

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/hub/studio"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
)

// PublishPage is the publish page of a draft: what would be released,
// against what, and whether it may be.
type PublishPage struct {
	*draftPage
	Against  string // what the diff is against ("wufang-builtin 2.0.0", "the draft's start")
	Changes  []studio.Change
	Higher   string // a version the new one must exceed, when it does not
	Releases []studio.Release
}

// ReleasePage is a release: its diff, its facts, and the signing.
type ReleasePage struct {
	Release   studio.Release
	DraftName string
	Against   string
	Changes   []studio.Change
	Command   string // the wufang-pack sign command to run on the signing machine
	HubKey    bool   // the hub may sign itself
	Sites     []string
	CanOffer  bool
	Message   string
	Error     string
}

// previous is the release a new version of pack is compared with: the
// highest released below version ("" for any), else the draft's first
// revision (where it started from).
func (s *Server) previous(r *http.Request, pack, version, draft string) (studio.Files, string, error) {
	ctx, cancel := queryContext(r)
	defer cancel()
	st := s.opts.Studio.Store
	rels, err := st.Releases(ctx, pack)
	if err != nil {
		return nil, "", err
	}
	for _, rel := range rels {
		if c, err := content.CompareVersions(rel.Version, version); version == "" || (err == nil && c < 0) {
			full, err := st.Release(ctx, rel.Pack, rel.Version)
			return full.Files, rel.Pack + " " + rel.Version, err
		}
	}
	first, err := st.Revision(ctx, draft, 1)
	return first.Files, "#1 · " + first.Note, err
}

func (s *Server) studioPublishPage(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraft(w, r, v)
	if dp == nil {
		return
	}
	pp := &PublishPage{draftPage: dp}
	old, against, err := s.previous(r, dp.Pack.ID, "", dp.Draft.ID)
	if err == nil {
		pp.Changes, err = studio.Diff(old, dp.Files)
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	pp.Against = against
	ctx, cancel := queryContext(r)
	defer cancel()
	pp.Releases, _ = s.opts.Studio.Store.Releases(ctx, dp.Pack.ID)
	versions := studio.ServedVersions(s.opts.Studio.PacksDir, dp.Pack.ID)
	for _, rel := range pp.Releases {
		versions = append(versions, rel.Version)
	}
	for _, ver := range versions {
		if c, err := content.CompareVersions(dp.Pack.Version, ver); err != nil || c <= 0 {
			if pp.Higher == "" {
				pp.Higher = ver
			} else if c2, _ := content.CompareVersions(ver, pp.Higher); c2 > 0 {
				pp.Higher = ver
			}
		}
	}
	dp.Crumbs = append(dp.Crumbs, crumb{v.T("studio.publish"), r.URL.Path})
	v.Title = v.T("studio.publish")
	s.render(w, v, "studio_publish", pp)
}

func (s *Server) studioPublish(w http.ResponseWriter, r *http.Request, v *view) {
	dp := s.loadDraftAtHead(w, r, v)
	if dp == nil {
		return
	}
	if r.PostFormValue("reviewed") != "yes" {
		s.fail(w, v, http.StatusBadRequest, v.T("studio.notreviewed"))
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	rel, err := s.opts.Studio.Store.Publish(ctx, dp.Draft.ID, dp.Draft.Head, v.User, studio.ServedVersions(s.opts.Studio.PacksDir, dp.Pack.ID))
	if err != nil {
		s.fail(w, v, http.StatusConflict, v.T("studio.notpublished")+" "+err.Error())
		return
	}
	http.Redirect(w, r, releaseURL(rel), http.StatusSeeOther)
}

func releaseURL(rel studio.Release) string { return "/studio/r/" + rel.Pack + "/" + rel.Version }

// release reads the release of the request's {pack} and {version}.
func (s *Server) release(w http.ResponseWriter, r *http.Request, v *view) (studio.Release, bool) {
	st := s.store(w, v)
	if st == nil {
		return studio.Release{}, false
	}
	pack, version := r.PathValue("pack"), r.PathValue("version")
	if !wire.ValidID(pack) || strings.ContainsAny(version, "/\\") || len(version) > 64 {
		s.fail(w, v, http.StatusNotFound, v.T("studio.norelease"))
		return studio.Release{}, false
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	rel, err := st.Release(ctx, pack, version)
	if errors.Is(err, studio.ErrNotFound) {
		s.fail(w, v, http.StatusNotFound, v.T("studio.norelease"))
		return rel, false
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return rel, false
	}
	return rel, true
}

func (s *Server) releasePage(w http.ResponseWriter, r *http.Request, v *view, rel studio.Release, msg, errMsg string, code int) {
	old, against, err := s.previous(r, rel.Pack, rel.Version, rel.Draft)
	var changes []studio.Change
	if err == nil {
		changes, err = studio.Diff(old, rel.Files)
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	rp := ReleasePage{Release: rel, Against: against, Changes: changes, Message: msg, Error: errMsg,
		Command: "wufang-pack sign " + rel.FileName() + " --key centre.key",
		HubKey:  s.opts.Studio.SigningKeyFile != "", CanOffer: s.opts.Offers != nil && s.opts.Studio.PacksDir != "" && rel.Signed != nil}
	{
		ctx, cancel := queryContext(r)
		if d, err := s.opts.Studio.Store.Draft(ctx, rel.Draft); err == nil {
			rp.DraftName = d.Name
		}
		cancel()
	}
	if rp.CanOffer {
		ctx, cancel := queryContext(r)
		defer cancel()
		if sites, err := s.hub.Sites(ctx); err == nil {
			for _, st := range sites {
				rp.Sites = append(rp.Sites, st.Site)
			}
		}
	}
	v.Title = rel.Pack + " " + rel.Version
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, v, "studio_release", rp)
}

func (s *Server) studioRelease(w http.ResponseWriter, r *http.Request, v *view) {
	if rel, ok := s.release(w, r, v); ok {
		s.releasePage(w, r, v, rel, "", "", 0)
	}
}

func download(w http.ResponseWriter, name, ctype string, data []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func (s *Server) studioUnsigned(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	b, err := rel.Files.Unsigned()
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	download(w, rel.FileName(), "application/zip", b)
}

func (s *Server) studioSignedFile(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	if rel.Signed == nil {
		s.fail(w, v, http.StatusNotFound, v.T("studio.notsigned"))
		return
	}
	download(w, rel.FileName(), "application/zip", rel.Signed)
}

func (s *Server) studioFacts(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	old, _, err := s.previous(r, rel.Pack, rel.Version, rel.Draft)
	var changes []studio.Change
	if err == nil {
		changes, err = studio.Diff(old, rel.Files)
	}
	var b []byte
	if err == nil {
		b, err = studio.Facts(rel.Files, rel, changes)
	}
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	download(w, rel.Pack+"-"+rel.Version+"-REVIEW.md", "text/markdown; charset=utf-8", b)
}

// studioSigned takes the signed .wfpack back from the signing machine.
func (s *Server) studioSigned(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	data, err := uploaded(r, "signed", maxWfpack)
	if err != nil {
		s.releasePage(w, r, v, rel, "", v.T("studio.signrefused")+" "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	_, err = s.opts.Studio.Store.Sign(ctx, rel.Pack, rel.Version, data, s.opts.Studio.Trusted)
	s.signed(w, r, v, rel, err)
}

// studioSignOnHub signs with the hub's own key (content.signing_key_file).
func (s *Server) studioSignOnHub(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	if s.opts.Studio.SigningKeyFile == "" {
		s.fail(w, v, http.StatusForbidden, v.T("studio.nohubkey"))
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	_, err := s.opts.Studio.Store.SignWithKey(ctx, rel.Pack, rel.Version, s.opts.Studio.SigningKeyFile, s.opts.Studio.Trusted)
	s.signed(w, r, v, rel, err)
}

// signed finishes a signing: the signed pack goes into the packs folder
// (which the hub serves to the rooms and offers from).
func (s *Server) signed(w http.ResponseWriter, r *http.Request, v *view, rel studio.Release, err error) {
	if err != nil {
		s.releasePage(w, r, v, rel, "", v.T("studio.signrefused")+" "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	rel, err = s.opts.Studio.Store.Release(ctx, rel.Pack, rel.Version)
	if err != nil {
		s.fail(w, v, http.StatusInternalServerError, err.Error())
		return
	}
	msg := fmt.Sprintf(v.T("studio.signedok"), rel.SignedBy)
	if dir := s.opts.Studio.PacksDir; dir != "" {
		if err := atomicfile.WriteFile(filepath.Join(dir, rel.FileName()), rel.Signed, 0o644); err != nil {
			s.releasePage(w, r, v, rel, msg, err.Error(), http.StatusInternalServerError)
			return
		}
		msg += " " + fmt.Sprintf(v.T("studio.inpacks"), rel.FileName())
	}
	s.releasePage(w, r, v, rel, msg, "", 0)
}

// studioOffer offers the signed release to a site, through the hub's
// Offerer, as wufang-hub offer does.
func (s *Server) studioOffer(w http.ResponseWriter, r *http.Request, v *view) {
	rel, ok := s.release(w, r, v)
	if !ok {
		return
	}
	if s.opts.Offers == nil || rel.Signed == nil || s.opts.Studio.PacksDir == "" {
		s.releasePage(w, r, v, rel, "", v.T("studio.cannotoffer"), http.StatusConflict)
		return
	}
	site := r.PostFormValue("site")
	if !wire.ValidID(site) {
		s.releasePage(w, r, v, rel, "", v.T("studio.nosite"), http.StatusBadRequest)
		return
	}
	ctx, cancel := queryContext(r)
	defer cancel()
	if _, err := s.opts.Offers.Offer(ctx, site, nil, rel.FileName()); err != nil {
		s.releasePage(w, r, v, rel, "", err.Error(), http.StatusBadGateway)
		return
	}
	s.releasePage(w, r, v, rel, fmt.Sprintf(v.T("studio.offered"), rel.Pack, rel.Version, site), "", 0)
}
