package web

import (
	"net/http"
	"strings"
)

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

func (s *Server) studioIndex(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("studio.title")
	s.render(w, v, "studio", nil)
}
