package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/wufang-kiosk/wufang/edge/hub/hubconfig"
)

// RoleContent may use the studio: edit content packs, publish releases
// and offer them (http.roles: {wang: [content]}; the config owns the list
// of roles and checks it). Every staff login may look at the dashboard.
const RoleContent = hubconfig.RoleContent

// HasRole reports whether user has role. A hub without users (open on
// loopback) has nobody with a role: the studio needs a login.
func (s *Server) HasRole(user, role string) bool {
	return user != "" && slices.Contains(s.opts.Roles[user], role)
}

// withRole wraps a handler of a page or action that needs role: without a
// session a page goes to the login (as every page does); a user without
// the role gets 403 and a message naming what to ask for.
func (s *Server) withRole(role string, f func(http.ResponseWriter, *http.Request, *view)) http.Handler {
	return s.page(func(w http.ResponseWriter, r *http.Request, v *view) {
		if !s.HasRole(v.User, role) {
			msg := v.T("role.open")
			if v.User != "" {
				msg = fmt.Sprintf(v.T("role.missing"), v.User, v.User)
			}
			s.fail(w, v, http.StatusForbidden, msg)
			return
		}
		f(w, r, v)
	})
}
