package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Offer is a pack offer the hub made to a site (Device "_all") or to one
// device: what it holds retained on the device's offer topic.
type Offer struct {
	Site, Device  string
	Pack, Version string
	SHA256        string
	Size          int64
	URL           string
	Rollback      bool
	Offered       time.Time
	Withdrawn     time.Time // zero while the offer stands
}

// SaveOffer records o as the standing offer of its (site, device),
// replacing any earlier one.
func (d *DB) SaveOffer(ctx context.Context, o Offer) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO pack_offers (site, device, pack, version, sha256, size, url, rollback, offered, withdrawn)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)
		ON CONFLICT (site, device) DO UPDATE SET pack = $3, version = $4, sha256 = $5, size = $6, url = $7, rollback = $8,
			offered = $9, withdrawn = 0`,
		o.Site, o.Device, o.Pack, o.Version, o.SHA256, o.Size, o.URL, b2i(o.Rollback), ms(o.Offered))
	if err != nil {
		return fmt.Errorf("save offer %s/%s: %w", o.Site, o.Device, err)
	}
	return nil
}

// WithdrawOffer marks the offer of (site, device) withdrawn at now. It
// reports whether there was a standing offer.
func (d *DB) WithdrawOffer(ctx context.Context, site, device string, now time.Time) (bool, error) {
	res, err := d.sql.ExecContext(ctx, `UPDATE pack_offers SET withdrawn = $3 WHERE site = $1 AND device = $2 AND withdrawn = 0`,
		site, device, ms(now))
	if err != nil {
		return false, fmt.Errorf("withdraw offer %s/%s: %w", site, device, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Offers returns the offers of site ("" for all), withdrawn ones included,
// by site and device.
func (d *DB) Offers(ctx context.Context, site string) ([]Offer, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, pack, version, sha256, size, url, rollback, offered, withdrawn
		FROM pack_offers WHERE $1 = '' OR site = $1 ORDER BY site, device`, site)
	if err != nil {
		return nil, fmt.Errorf("offers: %w", err)
	}
	defer rows.Close()
	var out []Offer
	for rows.Next() {
		var o Offer
		var rollback int
		var offered, withdrawn int64
		if err := rows.Scan(&o.Site, &o.Device, &o.Pack, &o.Version, &o.SHA256, &o.Size, &o.URL, &rollback, &offered, &withdrawn); err != nil {
			return nil, err
		}
		o.Rollback, o.Offered = rollback != 0, fromMS(offered)
		if withdrawn != 0 {
			o.Withdrawn = fromMS(withdrawn)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PackEvent is a pack.installed or pack.rejected event a device reported.
type PackEvent struct {
	Site, Device  string
	Kind          string
	Pack, Version string
	Reason        string
	Time          time.Time // by the device's clock
	Received      time.Time // when the hub stored it
}

// PackEvents returns the pack.installed and pack.rejected events of site
// ("" for all) received at or after since, oldest first.
func (d *DB) PackEvents(ctx context.Context, site string, since time.Time) ([]PackEvent, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, kind, pack, pack_version, reason, time, received FROM events
		WHERE ($1 = '' OR site = $1) AND kind IN ('pack.installed', 'pack.rejected') AND received >= $2
		ORDER BY received, time, seq`, site, ms(since))
	if err != nil {
		return nil, fmt.Errorf("pack events: %w", err)
	}
	defer rows.Close()
	var out []PackEvent
	for rows.Next() {
		var e PackEvent
		var t, rec int64
		if err := rows.Scan(&e.Site, &e.Device, &e.Kind, &e.Pack, &e.Version, &e.Reason, &t, &rec); err != nil {
			return nil, err
		}
		e.Time, e.Received = fromMS(t), fromMS(rec)
		out = append(out, e)
	}
	return out, rows.Err()
}

// storeOfferState keeps the status's offer report (status.offer) of a
// status that was just applied (its time is the device's status_time).
func storeOfferState(ctx context.Context, tx *sql.Tx, site, device string, st wire.Status) error {
	b := []byte{}
	if st.Offer != nil {
		var err error
		if b, err = json.Marshal(st.Offer); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE devices SET offer = $3 WHERE site = $1 AND device = $2 AND status_time = $4`,
		site, device, text(string(b)), ms(st.Time))
	return err
}

// OfferStates returns what each device of site ("" for all) last reported
// of its offer in its status, by (site, device); devices that report none
// are left out.
func (d *DB) OfferStates(ctx context.Context, site string) (map[[2]string]wire.OfferState, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, offer FROM devices WHERE ($1 = '' OR site = $1) AND offer <> ''`, site)
	if err != nil {
		return nil, fmt.Errorf("offer states: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]wire.OfferState{}
	for rows.Next() {
		var s, dev, raw string
		if err := rows.Scan(&s, &dev, &raw); err != nil {
			return nil, err
		}
		var o wire.OfferState
		if json.Unmarshal([]byte(raw), &o) == nil {
			out[[2]string{s, dev}] = o
		}
	}
	return out, rows.Err()
}
