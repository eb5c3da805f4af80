package ingest

import "github.com/wufang-kiosk/wufang/edge/wire"

// The store epoch of each payload (CONTRACT.md, "Store epoch"): the strict
// decoders require it, so it is never empty here.

func eventEpoch(e wire.Event) string   { return e.Epoch }
func statusEpoch(s wire.Status) string { return s.Epoch }
func totalsEpoch(t wire.Totals) string { return t.Epoch }
func dailyEpoch(d wire.Daily) string   { return d.Epoch }
