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

// PackAnswer is a device's last answer for one pack version: the
// pack.installed or pack.rejected event it reported, kept in pack_answers
// as the event is stored (and after the raw event is pruned).
type PackAnswer struct {
	Site, Device  string
	Pack, Version string
	Kind          string // wire.PackInstalled or wire.PackRejected
	Reason        string
	Time          time.Time // by the device's clock
	Received      time.Time // when the hub stored it
}

// storeAnswers records the new pack events of a batch (in stream and seq
// order) as their device's answer for their pack version; the one received
// last wins.
func storeAnswers(ctx context.Context, tx *sql.Tx, evs []*Event, now int64) error {
	for _, e := range evs {
		if e.Pack == "" || e.PackVer == "" {
			continue // a refusal of a file that was not a pack: no version to answer for
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pack_answers (site, device, pack, version, kind, reason, time, received)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (site, device, pack, version) DO UPDATE SET kind = excluded.kind, reason = excluded.reason,
				time = excluded.time, received = excluded.received`,
			e.Site, e.Device, text(e.Pack), text(e.PackVer), string(e.Kind), text(e.Reason), ms(e.Time), now)
		if err != nil {
			return fmt.Errorf("store pack answer %s/%s: %w", e.Site, e.Device, err)
		}
	}
	return nil
}

// PackAnswers returns the devices' answers of site ("" for all), by
// (site, device, pack, version).
func (d *DB) PackAnswers(ctx context.Context, site string) (map[[4]string]PackAnswer, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, pack, version, kind, reason, time, received FROM pack_answers
		WHERE $1 = '' OR site = $1`, site)
	if err != nil {
		return nil, fmt.Errorf("pack answers: %w", err)
	}
	defer rows.Close()
	out := map[[4]string]PackAnswer{}
	for rows.Next() {
		var a PackAnswer
		var t, rec int64
		if err := rows.Scan(&a.Site, &a.Device, &a.Pack, &a.Version, &a.Kind, &a.Reason, &t, &rec); err != nil {
			return nil, err
		}
		a.Time, a.Received = fromMS(t), fromMS(rec)
		out[[4]string{a.Site, a.Device, a.Pack, a.Version}] = a
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
