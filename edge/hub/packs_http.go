package hub

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// PackRoutes registers pack delivery on mux:
//
//	GET  /packs/{file}                       the signed .wfpack files (what devices download)
//	GET  /api/v1/packs                       the releases, and the files not offered with why
//	GET  /api/v1/sites/{site}/packs          per device: the pack it runs and its offer's outcome
//	POST /api/v1/sites/{site}/offers         {"pack": "file or id@version", "devices": [...]}
//	POST /api/v1/sites/{site}/offers/withdraw {"devices": [...]}
//	POST /api/v1/sites/{site}/offers/previous {"devices": [...]}
//
// No devices named means the whole site. The POST endpoints change what
// every room runs, so they are registered only with a token (the
// dashboard's staff login is the other way in) and each needs
// "Authorization: Bearer TOKEN".
func (h *Hub) PackRoutes(mux *http.ServeMux, lib *Library, off *Offerer, token string) {
	mux.Handle("GET /packs/{file}", lib)
	mux.HandleFunc("GET /api/v1/packs", h.api(func(r *http.Request) (any, error) {
		return map[string]any{"releases": nonNil(lib.Releases()), "not_offered": lib.Problems()}, nil
	}))
	mux.HandleFunc("GET /api/v1/sites/{site}/packs", h.api(func(r *http.Request) (any, error) {
		return h.PackStates(r.Context(), r.PathValue("site"))
	}))
	if off == nil || token == "" {
		return
	}
	type body struct {
		Pack    string   `json:"pack"`
		Devices []string `json:"devices"`
	}
	post := func(f func(r *http.Request, b body) (any, error)) http.HandlerFunc {
		inner := h.api(func(r *http.Request) (any, error) {
			var b body
			d := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
			d.DisallowUnknownFields()
			if err := d.Decode(&b); err != nil {
				return nil, badRequest("the body must be JSON like {\"pack\": \"name.wfpack\", \"devices\": [\"kiosk-1\"]}: " + err.Error())
			}
			if !wire.ValidID(r.PathValue("site")) {
				return nil, badRequest("the site is not a site id")
			}
			for _, dev := range b.Devices {
				if !wire.ValidID(dev) {
					return nil, badRequest("device " + dev + " is not a device id")
				}
			}
			return f(r, b)
		})
		return func(w http.ResponseWriter, r *http.Request) {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", "Bearer")
				http.Error(w, "offers need the hub's offer token", http.StatusUnauthorized)
				return
			}
			inner(w, r)
		}
	}
	mux.HandleFunc("POST /api/v1/sites/{site}/offers", post(func(r *http.Request, b body) (any, error) {
		if b.Pack == "" {
			return nil, badRequest("name the pack: {\"pack\": \"file.wfpack\"} or id@version")
		}
		return off.Offer(r.Context(), r.PathValue("site"), b.Devices, b.Pack)
	}))
	mux.HandleFunc("POST /api/v1/sites/{site}/offers/withdraw", post(func(r *http.Request, b body) (any, error) {
		return map[string]bool{"withdrawn": true}, off.Withdraw(r.Context(), r.PathValue("site"), b.Devices)
	}))
	mux.HandleFunc("POST /api/v1/sites/{site}/offers/previous", post(func(r *http.Request, b body) (any, error) {
		return off.OfferPrevious(r.Context(), r.PathValue("site"), b.Devices)
	}))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
