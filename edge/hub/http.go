package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/ingest"
	"github.com/wufang-kiosk/wufang/edge/promtext"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Routes registers the JSON API (under /api/v1/), /metrics and /healthz on
// mux. The dashboard registers its pages on the same mux, so one server
// serves both. stats reports ingest's counters (nil when ingest does not
// run in this process).
func (h *Hub) Routes(mux *http.ServeMux, stats func() ingest.Stats) {
	mux.HandleFunc("GET /api/v1/sites", h.api(func(r *http.Request) (any, error) { return h.Sites(r.Context()) }))
	mux.HandleFunc("GET /api/v1/sites/{site}", h.api(func(r *http.Request) (any, error) { return h.Site(r.Context(), r.PathValue("site")) }))
	mux.HandleFunc("GET /api/v1/sites/{site}/hours", h.api(func(r *http.Request) (any, error) {
		date, err := h.dateParam(r, "date", 0)
		if err != nil {
			return nil, err
		}
		return h.HoursCompared(r.Context(), r.PathValue("site"), date)
	}))
	mux.HandleFunc("GET /api/v1/sites/{site}/days", h.api(func(r *http.Request) (any, error) {
		from, to, err := h.rangeParams(r, 30)
		if err != nil {
			return nil, err
		}
		return h.DaysCompared(r.Context(), r.PathValue("site"), from, to)
	}))
	mux.HandleFunc("GET /api/v1/sites/{site}/funnel", h.api(func(r *http.Request) (any, error) {
		from, to, err := h.rangeParams(r, 30)
		if err != nil {
			return nil, err
		}
		return h.Funnel(r.Context(), r.PathValue("site"), from, to)
	}))
	mux.HandleFunc("GET /api/v1/sites/{site}/answers", h.api(func(r *http.Request) (any, error) {
		from, to, err := h.rangeParams(r, 30)
		if err != nil {
			return nil, err
		}
		min := int64(20)
		if v := r.URL.Query().Get("min"); v != "" {
			if min, err = strconv.ParseInt(v, 10, 64); err != nil || min < 0 {
				return nil, badRequest("min must be a whole number")
			}
		}
		return h.Answers(r.Context(), r.PathValue("site"), from, to, min)
	}))
	mux.HandleFunc("GET /api/v1/alerts", h.api(func(r *http.Request) (any, error) { return h.Alerts(r.Context()) }))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		problems := []string{}
		if err := h.db.SQL().PingContext(ctx); err != nil {
			problems = append(problems, "database: "+err.Error())
		}
		if stats != nil {
			if s := stats(); !s.Connected && h.opts.Now().Sub(s.Since) > 2*time.Minute {
				problems = append(problems, "mqtt: not connected since "+s.Since.UTC().Format(time.RFC3339)+": "+s.LastError)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": len(problems) == 0, "problems": problems})
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		var s *ingest.Stats
		if stats != nil {
			v := stats()
			s = &v
		}
		w.Header().Set("Content-Type", promtext.ContentType)
		if err := h.WriteMetrics(r.Context(), w, s); err != nil {
			fmt.Fprintf(w, "# error: %v\n", err)
		}
	})
}

type badRequest string

func (e badRequest) Error() string { return string(e) }

func (h *Hub) api(f func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := f(r)
		if err != nil {
			code := http.StatusInternalServerError
			var br badRequest
			switch {
			case errors.Is(err, ErrUnknownSite):
				code = http.StatusNotFound
			case errors.As(err, &br), strings.HasPrefix(err.Error(), "hub: "):
				code = http.StatusBadRequest
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
}

// today returns today's date in the site's zone.
func (h *Hub) today(ctx context.Context, site string) (string, error) {
	s, err := h.siteRow(ctx, site)
	if err != nil {
		return "", err
	}
	loc, _ := h.Location(s.TimeZone)
	return h.opts.Now().In(loc).Format(wire.DateLayout), nil
}

func (h *Hub) dateParam(r *http.Request, name string, offset int) (string, error) {
	if v := r.URL.Query().Get(name); v != "" {
		return v, nil
	}
	d, err := h.today(r.Context(), r.PathValue("site"))
	if err != nil {
		return "", err
	}
	return shift(d, offset), nil
}

// rangeParams reads from and to; by default the last days days up to
// today.
func (h *Hub) rangeParams(r *http.Request, days int) (string, string, error) {
	to, err := h.dateParam(r, "to", 0)
	if err != nil {
		return "", "", err
	}
	from := r.URL.Query().Get("from")
	if from == "" {
		from = shift(to, -(days - 1))
	}
	return from, to, nil
}

// WriteMetrics writes the hub's metrics in the Prometheus text format:
// ingest rates and failures, per-site totals and completeness, alerts.
func (h *Hub) WriteMetrics(ctx context.Context, w io.Writer, s *ingest.Stats) error {
	m := &promtext.Writer{W: w}
	if s != nil {
		m.Gauge("wufang_hub_mqtt_connected", "1 while the hub is connected to the broker.", promtext.Bool(s.Connected))
		m.Head("wufang_hub_messages_received_total", "Messages received, per topic kind.", "counter")
		for _, k := range slices.Sorted(mapKeys(s.Received)) {
			m.Sample("wufang_hub_messages_received_total", float64(s.Received[k]), "kind", k)
		}
		m.Head("wufang_hub_payloads_refused_total", "Payloads refused by the strict decoders, per topic kind.", "counter")
		for _, k := range slices.Sorted(mapKeys(s.Bad)) {
			m.Sample("wufang_hub_payloads_refused_total", float64(s.Bad[k]), "kind", k)
		}
		m.Counter("wufang_hub_events_stored_total", "Events new to the database.", float64(s.Stored))
		m.Counter("wufang_hub_events_duplicate_total", "Events received again (replays, redeliveries, other replicas).", float64(s.Duplicates))
		m.Counter("wufang_hub_store_errors_total", "Failed database transactions (retried).", float64(s.StoreErrors))
		m.Gauge("wufang_hub_ingest_queue", "Events received and not stored yet.", float64(s.Queued))
		m.Gauge("wufang_hub_ingest_lag_seconds", "Receive time minus event time of the last event stored.", s.Lag.Seconds())
	}
	sites, err := h.Sites(ctx)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name, help, typ string
		value           func(Site) uint64
	}{
		{"wufang_hub_site_entries_total", "Door entries per site, lifetime (sum of the devices' latest totals).", "counter", func(x Site) uint64 { return x.Lifetime.Entries }},
		{"wufang_hub_site_exits_total", "Door exits per site, lifetime.", "counter", func(x Site) uint64 { return x.Lifetime.Exits }},
		{"wufang_hub_site_sessions_total", "Kiosk sessions per site, lifetime.", "counter", func(x Site) uint64 { return x.Lifetime.Sessions }},
		{"wufang_hub_site_today_entries", "Door entries per site today (site time zone).", "gauge", func(x Site) uint64 { return x.Today.Entries }},
		{"wufang_hub_site_devices_online", "Devices online per site.", "gauge", func(x Site) uint64 { return uint64(x.Completeness.Online) }},
		{"wufang_hub_site_devices", "Devices known per site.", "gauge", func(x Site) uint64 { return uint64(x.Completeness.Devices) }},
		{"wufang_hub_site_backlog", "Events the site's devices hold unsent.", "gauge", func(x Site) uint64 { return x.Completeness.Backlog }},
		{"wufang_hub_site_missing_events", "Events counted in the site's totals but not stored at the hub.", "gauge", func(x Site) uint64 { return x.Completeness.Missing }},
	} {
		m.Head(f.name, f.help, f.typ)
		for _, x := range sites {
			m.Sample(f.name, float64(f.value(x)), "site", x.Site)
		}
	}
	alerts, err := h.Alerts(ctx)
	if err != nil {
		return err
	}
	count := map[[2]string]int{}
	for _, a := range alerts {
		count[[2]string{a.Site, a.Kind}]++
	}
	m.Head("wufang_hub_alerts", "Open alerts per site and kind.", "gauge")
	keys := slices.SortedFunc(mapKeys(count), func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		m.Sample("wufang_hub_alerts", float64(count[k]), "site", k[0], "kind", k[1])
	}
	return nil
}
