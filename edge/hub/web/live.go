package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// liveCell is one overview cell the live stream updates.
type liveCell struct {
	Text       string `json:"t"`
	Incomplete bool   `json:"i,omitempty"`
	Unknown    bool   `json:"n,omitempty"` // no data yet, or still counting
	Pending    bool   `json:"p,omitempty"` // still counting
}

// liveSite is a site's overview numbers as the stream sends them, already
// written in the page's language.
type liveSite map[string]liveCell

func liveRows(rows []SiteRow, counting string) map[string]liveSite {
	out := make(map[string]liveSite, len(rows))
	for _, r := range rows {
		cell := func(c Cell) liveCell {
			return liveCell{Text: c.Text, Incomplete: c.Incomplete, Unknown: !c.Known, Pending: c.Pending}
		}
		out[r.Site] = liveSite{
			"today": cell(r.Today), "inroom": cell(r.InRoom), "week": cell(r.Week), "year": cell(r.Year),
			"sessions": cell(r.Sessions), "devices": {Text: fmt.Sprintf("%d/%d", r.Online, r.Devices), Incomplete: r.Online < r.Devices},
			"alerts": {Text: fmt.Sprint(r.Alerts), Incomplete: r.Alerts > 0},
		}
		if r.AlertsPending {
			out[r.Site]["alerts"] = liveCell{Text: counting, Unknown: true, Pending: true}
		}
	}
	return out
}

// live is the overview's server-sent event stream: every Live interval it
// reads the sites and sends the overview's numbers when they changed, so a
// new totals from a device shows within two intervals.
func (s *Server) live(w http.ResponseWriter, r *http.Request, v *view) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream, not a page
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(s.opts.Live)
	defer tick.Stop()
	var last []byte
	for {
		ctx, cancel := queryContext(r)
		rows, err := s.overviewRows(ctx, v)
		cancel()
		if err != nil {
			if r.Context().Err() != nil {
				return
			}
			s.opts.Log.Warn("dashboard: live", "err", err)
		} else if b, _ := json.Marshal(liveRows(rows, v.T("counting"))); !bytes.Equal(b, last) {
			last = b
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := fmt.Fprintf(w, "event: sites\ndata: %s\n\n", b); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			_ = rc.SetWriteDeadline(time.Time{})
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}
