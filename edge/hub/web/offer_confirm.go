package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// # Confirming an offer action
//
// The site page's withdraw and previous-release buttons do not change
// anything: they open a confirmation page (GET, content role) that says
// what will happen, in the page's language: which pack and version is
// withdrawn or offered instead, to which devices (the whole site or one
// device, each with the pack it runs now), and what each device will do.
// Its Confirm is the POST of offers.go (CSRF token, content role checked
// again); Cancel is a link back to the site page.
//
//	GET  /site/{site}/offers/withdraw?device=...  the confirmation page
//	POST /site/{site}/offers/withdraw             device=... expect=...
//
// (previous likewise). The form sends back, as expect, what the page
// showed; when the offer changed in between (another staff member acted,
// a release left the folder) the POST does nothing and shows the page
// again as it is now. A target that is gone (an offer already withdrawn,
// no older release) is said plainly on both steps, with nothing done.
//
// The GET carries no CSRF token on purpose: it changes nothing, a token
// in a URL leaks into history and logs, and the page cannot be framed
// (X-Frame-Options: DENY) for its Confirm to be clicked from elsewhere.

func init() { pageNames = append(pageNames, "offer_confirm") }

// ConfirmPage is the confirmation page's data.
type ConfirmPage struct {
	Site    string
	Kind    string // offerWithdraw or offerPrevious
	Title   string
	Note    string // why the page is shown again after a POST ("" on the first look)
	Scopes  []*ConfirmScope
	Devices []string // the form's device fields
	CanDo   bool     // every scope has something to do: the Confirm button shows
}

// ConfirmScope is what the action does to one scope: the whole site, or
// one device.
type ConfirmScope struct {
	Device  string   // "" for the whole site
	To      string   // to whom, in the page's language
	What    string   // what is withdrawn or offered instead ("" when Blocked)
	Blocked string   // why there is nothing to do ("" when there is)
	Reached []Runner // the devices it reaches, with what they run now
	Later   string   // the whole site: devices that connect later get it too
	Own     string   // the whole site: the devices it does not reach
	Effects []string // what each device will do
	Expect  string   // what the page showed, sent back by the form
}

// Runner is a device the action reaches and the pack it runs now.
type Runner struct {
	Device, Runs string
}

func (s *Server) confirmPage(kind string) func(http.ResponseWriter, *http.Request, *view) {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		site, devices, ok := s.offerTarget(w, r, v, r.URL.Query()["device"])
		if !ok {
			return
		}
		p, err := s.confirmData(r, v, kind, site, devices)
		if err != nil {
			s.queryFailed(w, v, err)
			return
		}
		v.Title = p.Title
		s.render(w, v, "offer_confirm", p)
	}
}

// offerTarget checks the site and device ids of an offer action; a bad
// one is answered here (false).
func (s *Server) offerTarget(w http.ResponseWriter, r *http.Request, v *view, devices []string) (string, []string, bool) {
	site := r.PathValue("site")
	if !wire.ValidID(site) {
		s.fail(w, v, http.StatusBadRequest, v.T("unknown.site"))
		return "", nil, false
	}
	for _, d := range devices {
		if !wire.ValidID(d) {
			s.fail(w, v, http.StatusBadRequest, v.T("offer.baddevice"))
			return "", nil, false
		}
	}
	return site, slices.Compact(slices.Sorted(slices.Values(devices))), true
}

// confirmData says what kind would do now to site (or to the devices).
func (s *Server) confirmData(r *http.Request, v *view, kind, site string, devices []string) (*ConfirmPage, error) {
	ctx, cancel := queryContext(r)
	defer cancel()
	st, err := s.hub.Site(ctx, site)
	if err != nil {
		return nil, err
	}
	loc, _ := s.location(st.TimeZone)
	offers, err := s.hub.StandingOffers(ctx, site)
	if err != nil {
		return nil, err
	}
	states, err := s.hub.PackStates(ctx, site)
	if err != nil {
		return nil, err
	}
	standing := map[string]*db.Offer{}
	for i := range offers {
		standing[offers[i].Device] = &offers[i]
	}
	runs := func(ps hub.PackState) string {
		if ps.Pack == "" {
			return v.T("confirm.notheard")
		}
		return ps.Pack + " " + ps.PackVersion
	}
	release := func(o *db.Offer) string {
		s := o.Pack + " " + o.Version
		if o.Rollback {
			s += " " + v.T("offer.rollback")
		}
		return s
	}
	p := &ConfirmPage{Site: site, Kind: kind, Title: v.T("confirm.title." + kind), Devices: devices, CanDo: true}
	scopes := devices
	if len(scopes) == 0 {
		scopes = []string{""}
	}
	for _, dev := range scopes {
		c := &ConfirmScope{Device: dev}
		key := dev
		if dev == "" {
			key = wire.OfferAll
			c.To = v.Tf("confirm.to.site", site)
			c.Later = v.T("confirm.later")
			var own []string // standing offers are by device
			for _, o := range offers {
				if o.Device != wire.OfferAll {
					own = append(own, o.Device)
				}
			}
			for _, ps := range states {
				if !slices.Contains(own, ps.Device) {
					c.Reached = append(c.Reached, Runner{Device: ps.Device, Runs: runs(ps)})
				}
			}
			if len(own) > 0 {
				c.Own = v.Tf("confirm.own", strings.Join(own, v.T("confirm.sep")))
			}
		} else {
			c.To = v.Tf("confirm.to.device", dev)
			r := Runner{Device: dev, Runs: v.T("confirm.notheard")}
			for _, ps := range states {
				if ps.Device == dev {
					r.Runs = runs(ps)
				}
			}
			c.Reached = []Runner{r}
		}
		cur := standing[key]
		scope := "site"
		if dev != "" {
			scope = "device"
		}
		switch {
		case cur == nil:
			c.Blocked = v.Tf("confirm.gone."+kind+"."+scope, orSite(dev, site))
		case kind == offerWithdraw:
			c.What = v.Tf("confirm.withdraw.what", release(cur), v.Time(cur.Offered, loc))
			c.Effects = append(c.Effects, v.Tf("confirm.withdraw.keep", cur.Pack+" "+cur.Version))
			if all := standing[wire.OfferAll]; dev != "" && all != nil {
				c.Effects = append(c.Effects, v.Tf("confirm.withdraw.fallback", dev, release(all)))
			}
			c.Expect = expectOf(dev, cur, "")
		default:
			prev, ok, err := s.opts.Offers.PreviousOf(cur.Pack, cur.Version)
			if err != nil {
				return nil, err
			}
			if !ok {
				c.Blocked = v.Tf("confirm.norelease", cur.Pack, cur.Version)
				break
			}
			to := prev.ID + " " + prev.Version
			c.What = v.Tf("confirm.previous.what", to, release(cur), v.Time(cur.Offered, loc))
			c.Effects = append(c.Effects, v.Tf("confirm.previous.do", to), v.Tf("confirm.previous.refuse", to))
			c.Expect = expectOf(dev, cur, prev.Version)
		}
		if c.Blocked != "" {
			p.CanDo = false
			c.Reached, c.Later, c.Own = nil, "", "" // nothing reaches them
		} else {
			c.Effects = append(c.Effects, v.T("confirm.answers"))
		}
		p.Scopes = append(p.Scopes, c)
	}
	return p, nil
}

func orSite(dev, site string) string {
	if dev == "" {
		return site
	}
	return dev
}

// expectOf is what the confirmation page showed of one scope: the offer
// standing (pack, version, when it was made) and, for a rollback, the
// version offered instead.
func expectOf(dev string, o *db.Offer, to string) string {
	return fmt.Sprintf("%s %s %s %d %s", orSite(dev, wire.OfferAll), o.Pack, o.Version, o.Offered.UnixMilli(), to)
}

// confirmed checks an action's POST against what is true now: it answers
// (and returns false) when a target is gone or the offer changed since the
// confirmation page showed it, with the page as it is now and nothing done.
// A POST without expect (a script, or a form of before the confirmation
// page) is checked for gone targets only.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, v *view, kind, site string, devices []string) bool {
	p, err := s.confirmData(r, v, kind, site, devices)
	if err != nil {
		s.queryFailed(w, v, err)
		return false
	}
	expect := r.PostForm["expect"]
	var now []string
	for _, c := range p.Scopes {
		now = append(now, c.Expect)
	}
	switch {
	case !p.CanDo:
		p.Note = v.T("confirm.unchanged")
	case len(expect) > 0 && !slices.Equal(slices.Sorted(slices.Values(expect)), slices.Sorted(slices.Values(now))):
		p.Note = v.T("confirm.changed")
	default:
		return true
	}
	s.opts.Log.Info("dashboard: offer action not done", "user", v.User, "action", kind, "site", site, "devices", devices,
		"why", p.Note, "expected", expect, "now", now)
	v.Title = p.Title
	w.WriteHeader(http.StatusConflict)
	s.render(w, v, "offer_confirm", p)
	return false
}

// confirmMessages are the confirmation page's words; init adds them to
// messages, whose test checks both languages.
var confirmMessages = map[string][2]string{ // [zh, en]
	"confirm.title.withdraw": {"撤回发布？", "Withdraw the offer?"},
	"confirm.title.previous": {"发布上一版（回退）？", "Offer the previous release (roll back)?"},
	"confirm.intro":          {"确认之前不会有任何改动。请核对下面的内容：", "Nothing changes until you confirm. Check what will happen:"},
	"confirm.to.site":        {"对象：展室 %s 的全部设备", "To: every device of room %s"},
	"confirm.to.device":      {"对象：只有设备 %s", "To: device %s only"},
	"confirm.withdraw.what":  {"撤回 %s（%s 发布）。", "Withdraws %s, offered on %s."},
	"confirm.previous.what":  {"改为发布 %s 作为回退，取代 %s（%s 发布）。", "Offers %s as a rollback, instead of %s (offered on %s)."},
	"confirm.runs":           {"正在运行", "Runs now"},
	"confirm.notheard":       {"尚未向中心服务器报告", "not heard from yet"},
	"confirm.noreached":      {"本展室还没有设备向中心服务器报告过。", "No device of this room has reported to the hub yet."},
	"confirm.later":          {"以后才连接的本展室设备也会收到这项更改。", "Devices of the room that connect later get this change too."},
	"confirm.own":            {"不涉及（各有只发布给自己的内容包，不跟随全站发布）：%s。", "Not reached (each has an offer of its own, and does not follow the site's): %s."},
	"confirm.sep":            {"、", ", "},
	"confirm.what":           {"设备会怎样做", "What each device will do"},
	"confirm.withdraw.keep": {"撤回不会安装或删除任何内容：设备保留正在运行的内容包；还没安装 %s 的设备不会再安装它。",
		"Withdrawing installs and removes nothing: a device keeps the pack it runs now, and one that has not installed %s yet will not install it."},
	"confirm.withdraw.fallback": {"之后 %s 改为跟随全站发布 %s：在无人参观且不在开放时间内时安装；如果设备拒绝，就保留正在运行的内容包。",
		"Then %s follows the site's offer, %s: it installs that when no visit is running and outside opening hours; if it refuses, it keeps the pack it runs."},
	"confirm.previous.do": {"每台设备在无人参观、且不在开放时间内时安装 %s（参观进行中从不安装；设备设置了 content.install_during_hours 时，开放时间内也可以安装）。",
		"Each device installs %s when no visit is running and outside opening hours (never during a visit; a device with content.install_during_hours set may also install during opening hours)."},
	"confirm.previous.refuse": {"只有上一个内容包正是 %s 的设备才会回退（直接换回，无需下载）；其他设备会拒绝，并保留正在运行的内容包。",
		"A device takes the rollback only when %s is the pack it ran before (it switches back without a download); any other device refuses it and keeps the pack it runs."},
	"confirm.answers": {"确认后，展室页面的设备表会显示每台设备的结果。", "After you confirm, the room's device table shows how each device answers."},
	"confirm.gone.withdraw.site": {"现在没有发布给展室 %s 全站的内容包（可能已经被撤回）：没有可撤回的。",
		"Nothing is offered to the whole of room %s now (it may have been withdrawn already): there is nothing to withdraw."},
	"confirm.gone.withdraw.device": {"现在没有只发布给设备 %s 的内容包（可能已经被撤回）：没有可撤回的。",
		"Nothing is offered to device %s itself now (it may have been withdrawn already): there is nothing to withdraw."},
	"confirm.gone.previous.site": {"现在没有发布给展室 %s 全站的内容包，所以没有可以回退到的上一版。",
		"Nothing is offered to the whole of room %s now, so there is no previous release to go back to."},
	"confirm.gone.previous.device": {"现在没有只发布给设备 %s 的内容包，所以没有可以回退到的上一版。",
		"Nothing is offered to device %s itself now, so there is no previous release to go back to."},
	"confirm.norelease": {"内容包目录（content.packs_dir）里没有比 %s %s 更早的已签名版本，所以无法回退：先把上一版的 .wfpack 放进去。",
		"There is no signed release of %s older than %s in content.packs_dir, so there is nothing to roll back to: put the previous release's .wfpack there first."},
	"confirm.unchanged": {"没有做任何更改。", "Nothing was changed."},
	"confirm.changed": {"你查看之后这项发布已经变了，所以没有执行。下面是现在的情况：如果仍然要这样做，请再确认一次。",
		"The offer changed after you looked, so nothing was done. Below is how it stands now: confirm again if it is still what you want."},
	"confirm.ok":     {"确认", "Confirm"},
	"confirm.cancel": {"取消", "Cancel"},
	"confirm.back":   {"返回展室页面", "Back to the room's page"},
}

func init() {
	for k, v := range confirmMessages {
		messages[k] = v
	}
}
