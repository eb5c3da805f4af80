// Package store is the edge hub's durable event log on bbolt: every visit
// event with its per-device sequence number, the lifetime and per-day
// counters, and the outbox watermark of the MQTT uplink.
//
// # Guarantees
//
//   - Record appends the event and bumps the counters in one bbolt
//     transaction and returns once it is on disk. Concurrent callers share
//     one transaction and one fsync (group commit).
//   - Sequence numbers are assigned at commit, contiguous, and never reused:
//     the last one is kept in the file, which retention, drops and
//     compaction carry over.
//   - The watermark (everything up to it is acknowledged) only moves over
//     contiguous acknowledgements; acks are kept in memory and written with
//     the next commit or within about a second, so a crash can at most make
//     the uplink send a few events again (consumers drop replays by seq).
//   - Counters are never dropped. Events are: acknowledged ones after
//     Options.Retention, and, when the file nears Options.MaxBytes during a
//     long outage, the oldest ones even if unsent (counted in Stats.Dropped).
//   - A file bbolt cannot open is moved aside and a fresh one started.
//
// # On disk
//
// Buckets: "events" (8-byte big-endian seq -> compact binary event, filled
// 100% since keys only grow), "days" (yyyy-mm-dd -> wire.Daily JSON) and
// "meta" (boot, last seq, watermark, dropped, lifetime counters). bbolt never
// shrinks its file, so the store keeps the live data under a budget below
// the cap and reuses freed pages; if fragmentation still pushes the file
// against the cap it compacts into a new file and renames it into place.
package store
