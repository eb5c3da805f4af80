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
//   - Each file has an epoch (wire.EpochPattern), a random id made when the
//     file is created (or at the first writable open of a file from before
//     epochs) and kept in the meta bucket. Every event, totals and day the
//     store hands out carries it, so (site, device, epoch, seq) is unique
//     for ever. A salvage that reads the old file's counters and last seq
//     keeps its epoch; a store that restarts from nothing gets a new one.
//   - The watermark (everything up to it is acknowledged) only moves over
//     contiguous acknowledgements; acks are kept in memory and written with
//     the next commit or within about a second, so a crash can at most make
//     the uplink send a few events again (consumers drop replays by seq).
//   - Counters are never dropped. Events are: acknowledged ones after
//     Options.Retention, and, when the file nears Options.MaxBytes during a
//     long outage, the oldest ones even if unsent (counted in Stats.Dropped).
//   - A file bbolt cannot open, or that is not a store, is moved aside as
//     <path>.corrupt-<time> and a fresh one started (Stats.Recovered). What
//     can still be read from it (epoch, last seq, boot, lifetime and day
//     counters, and every readable unsent event) is carried over, so seqs
//     are not reused, totals stay cumulative and the backlog still drains;
//     unsent events on damaged pages count as dropped, and the watermark
//     passes over them. If nothing can be read, the store starts a new
//     epoch and seqs restart above a clock-based floor (1000 per second
//     since 1970); an existing 0-byte file is treated the same way.
//   - A damaged page met later (a read faults or panics, a key is
//     malformed) gives ErrCorrupt instead of a crash, leaves <path>.check
//     and puts the store out of service (Broken, Err): it refuses writes,
//     and the process should exit non-zero. The next Open then runs bbolt's
//     full page check, and the salvage, in a child process (the same
//     executable, see childEnv), because bbolt checks in a goroutine of its
//     own where a wild page pointer is a fatal fault, not a panic: whatever
//     the damage, the daemon restarts into a working store, never into the
//     same crash.
//   - A full disk (ENOSPC, whatever the cap says) is met like the cap: the
//     store gives back its reserve file (<path>.reserve, Options.ReserveBytes)
//     and lowers its cap to the pages the file already has, so the oldest
//     events (acknowledged ones first; unsent ones count as dropped) make
//     room and recording goes on (Stats.State "disk full"). Events that still
//     cannot be recorded are counted (Stats.RecordFailures) and the last
//     error kept in plain words (Stats.LastError). Once the disk has room
//     again the cap and the reserve come back.
//   - Another process holding the file: ErrLocked after about a second.
//
// # On disk
//
// Buckets: "events" (8-byte big-endian seq -> compact binary event, filled
// 100% since keys only grow), "days" (yyyy-mm-dd -> wire.Daily JSON) and
// "meta" (epoch, boot, last seq, watermark, dropped, lifetime counters).
// bbolt never shrinks its file, so the store keeps the live data under a
// budget below the cap and reuses freed pages; if fragmentation still pushes the file
// against the cap it compacts into a new file and renames it into place
// (bbolt's own MaxSize is set to the cap as the last guard). Realistic
// visit events take about 23 bytes encoded and about 50 bytes of file per
// event (build/bench-store.sh, TestBytesPerEvent).
//
// Pages read through bbolt's memory map would otherwise stay resident and
// count in the process's RSS; the store releases them (MADV_DONTNEED) every
// few MiB, so draining a million-event backlog does not cost 50 MB of RSS.
package store
