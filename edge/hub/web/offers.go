package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// # Pack offers on the site page
//
// The device table says how each device's pack offer stands (offerCell).
// A user with the content role may withdraw an offer or offer the
// previous release (a rollback) from there: each button opens a
// confirmation page (offer_confirm.go) whose Confirm is a POST form,
// checked by the CSRF guard like every state-changing request, through
// the same hub.Offerer that `wufang-hub offer` and the offer API use.
//
//	POST /site/{site}/offers/withdraw  device=... (none: the site's offer)
//	POST /site/{site}/offers/previous  device=... (none: the site's offer)

// offerRoutes registers the offer actions when the dashboard has an
// Offerer (the hub serves packs: content.packs_dir).
func (s *Server) offerRoutes(mux *http.ServeMux) {
	if s.opts.Offers == nil {
		return
	}
	for _, kind := range []string{offerWithdraw, offerPrevious} {
		mux.Handle("GET /site/{site}/offers/"+kind, s.withRole(RoleContent, s.confirmPage(kind)))
		mux.Handle("POST /site/{site}/offers/"+kind, s.withRole(RoleContent, s.offerAction(kind)))
	}
}

const (
	offerWithdraw = "withdraw"
	offerPrevious = "previous"
)

func (s *Server) offerAction(kind string) func(http.ResponseWriter, *http.Request, *view) {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		site, devices, ok := s.offerTarget(w, r, v, r.PostForm["device"])
		if !ok || !s.confirmed(w, r, v, kind, site, devices) {
			return
		}
		ctx, cancel := queryContext(r)
		defer cancel()
		var err error
		if kind == offerWithdraw {
			err = s.opts.Offers.Withdraw(ctx, site, devices)
		} else {
			_, err = s.opts.Offers.OfferPrevious(ctx, site, devices)
		}
		if err != nil {
			s.opts.Log.Warn("dashboard: offer action failed", "user", v.User, "action", kind, "site", site, "devices", devices, "err", err)
			msg := v.T("offer.failed." + kind)
			if errors.Is(err, hub.ErrNoRelease) {
				msg += " " + v.T("offer.norelease")
			}
			s.fail(w, v, http.StatusConflict, msg+" ("+err.Error()+")")
			return
		}
		s.opts.Log.Info("dashboard: offer changed", "user", v.User, "action", kind, "site", site, "devices", devices)
		http.Redirect(w, r, "/site/"+site+"?done="+kind+"#devices", http.StatusSeeOther)
	}
}

// SiteOffer is the offer to a whole site, as the site page shows it.
type SiteOffer struct {
	Release string
	Offered string
}

// offersOfSite fills the site page's offer parts: the site's own offer,
// whether the user may act on offers, and the notice of the action just
// done.
func (s *Server) offersOfSite(p *SitePage, v *view, r *http.Request, loc *time.Location) error {
	ctx, cancel := queryContext(r)
	defer cancel()
	offers, err := s.hub.StandingOffers(ctx, p.Site.Site)
	if err != nil {
		return err
	}
	for _, o := range offers {
		if o.Device == wire.OfferAll {
			rel := o.Pack + " " + o.Version
			if o.Rollback {
				rel += " " + v.T("offer.rollback")
			}
			p.SiteOffer = &SiteOffer{Release: rel, Offered: v.Time(o.Offered, loc)}
		}
	}
	p.CanOffer = s.opts.Offers != nil && s.HasRole(v.User, RoleContent)
	switch done := r.URL.Query().Get("done"); done {
	case offerWithdraw, offerPrevious:
		p.Done = v.T("offer.done." + done)
	}
	return nil
}
