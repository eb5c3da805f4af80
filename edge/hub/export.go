package hub

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
)

var csvHeader = []string{"entries", "exits", "after_hours_entries", "after_hours_exits", "sessions",
	"feedback_1", "feedback_2", "feedback_3", "sensor_faults"}

func bucketRecord(b db.Bucket) []string {
	v := []int64{b.Entries, b.Exits, b.AfterHoursEntries, b.AfterHoursExits, b.Sessions, b.Feedback[0], b.Feedback[1], b.Feedback[2], b.SensorFaults}
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatInt(x, 10)
	}
	return out
}

// ExportDaily writes a site's counts per day from..to as CSV: one row a
// day, in the site's time zone, with has_data false for a day nothing is
// known of (rather than a row of zeros that would read as "nobody came").
func (h *Hub) ExportDaily(ctx context.Context, w io.Writer, site, from, to string) error {
	days, err := h.Days(ctx, site, from, to)
	if err != nil {
		return err
	}
	c := csv.NewWriter(w)
	_ = c.Write(append(append([]string{"site", "date", "timezone"}, csvHeader...), "has_data", "devices_from_daily", "devices_from_events"))
	for _, d := range days.Days {
		rec := append(append([]string{site, d.Date, days.TimeZone}, bucketRecord(d.Bucket)...),
			strconv.FormatBool(d.HasData), strconv.Itoa(d.FromDaily), strconv.Itoa(d.FromEvents))
		if err := c.Write(rec); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// ExportHourly writes a site's counts per local hour from..to as CSV, from
// the events stored.
func (h *Hub) ExportHourly(ctx context.Context, w io.Writer, site, from, to string) error {
	f, t, err := dateRange(from, to)
	if err != nil {
		return err
	}
	c := csv.NewWriter(w)
	_ = c.Write(append([]string{"site", "date", "hour", "timezone"}, csvHeader...))
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		hs, err := h.Hours(ctx, site, d.Format("2006-01-02"))
		if err != nil {
			return err
		}
		for i, b := range hs.Hours {
			if err := c.Write(append([]string{site, hs.Date, strconv.Itoa(i), hs.TimeZone}, bucketRecord(b)...)); err != nil {
				return err
			}
		}
	}
	c.Flush()
	return c.Error()
}
