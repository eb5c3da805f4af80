package db

import (
	"context"
	"fmt"
)

// SiteSum is one site's counts summed over a range of days.
type SiteSum struct {
	Site string
	Bucket
	// HasData: some day of the range has something stored (a closed day
	// or an event), so the sum is not "nothing known".
	HasData bool
}

// Sums returns, by site, what summing Days over from..to gives, in one
// grouped query for every site: the overview needs this week's and this
// year's entries of every site, and 200 year-long Days queries took about
// 2 s of SQLite, this about 0.4 s (BenchmarkColdOverview in edge/hub/web).
// Sites with nothing stored in the range are left out.
func (d *DB) Sums(ctx context.Context, from, to string) ([]SiteSum, error) {
	rows, err := d.sql.QueryContext(ctx, sumsSQL, from, to)
	if err != nil {
		return nil, fmt.Errorf("sums of all sites: %w", err)
	}
	defer rows.Close()
	var out []SiteSum
	for rows.Next() {
		var v SiteSum
		var n int64
		if err := rows.Scan(append(append([]any{&v.Site}, v.scanArgs()...), &n)...); err != nil {
			return nil, err
		}
		v.HasData = n > 0
		out = append(out, v)
	}
	return out, rows.Err()
}

// sumsSQL is Days' rule summed: per (device, epoch, day) the closed-day
// message when there is one, else its hours. An hour row counts only when
// its device store has no closed-day row for the day (a primary-key
// lookup per row, cheaper than grouping the hours first); the sites come
// first, as in allDaysSQL, so each site's days are a range of the primary
// key.
const sumsSQL = `
SELECT site, ` + bucketSums + `, COUNT(*) FROM (
	SELECT d.site, d.entries, d.exits, d.ah_entries, d.ah_exits, d.sessions, d.fb1, d.fb2, d.fb3, d.faults
	FROM sites s CROSS JOIN daily d WHERE d.site = s.site AND d.day >= $1 AND d.day <= $2
	UNION ALL
	SELECT h.site, h.entries, h.exits, h.ah_entries, h.ah_exits, h.sessions, h.fb1, h.fb2, h.fb3, h.faults
	FROM sites s CROSS JOIN hourly h WHERE h.site = s.site AND h.day >= $1 AND h.day <= $2
	AND NOT EXISTS (SELECT 1 FROM daily dl WHERE dl.site = h.site AND dl.day = h.day AND dl.device = h.device AND dl.epoch = h.epoch)
) u GROUP BY site ORDER BY site`
