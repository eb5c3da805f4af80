package hub

import (
	"context"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
)

// Sums returns every site's counts summed over the local days from..to, by
// site, as Days' totals would (closed days as the devices counted them,
// other days from the events): one query for all sites. A site with
// nothing stored in the range is absent (nothing known, not 0).
func (h *Hub) Sums(ctx context.Context, from, to string) (map[string]db.SiteSum, error) {
	if _, _, err := dateRange(from, to); err != nil {
		return nil, err
	}
	rows, err := h.db.Sums(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]db.SiteSum, len(rows))
	for _, r := range rows {
		out[r.Site] = r
	}
	return out, nil
}
