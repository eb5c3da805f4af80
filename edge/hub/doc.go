// Package hub is the district hub's query layer: what the dashboard, the
// JSON API (/api/v1/), /metrics and the CSV export read. Its answers are
// typed, in each site's own time zone, and say how complete they are
// (devices offline and since when, backlogs, events counted by a device
// but not stored here), so that "no data" is never shown as 0.
//
// The hub is three packages: ingest (the MQTT subscriber, the only one that
// imports paho), db (storage on SQLite or PostgreSQL, where every rule that
// keeps the numbers exact lives) and this one. Routes mounts the API on an
// http.ServeMux that a web UI package mounts its pages on too.
//
// # Where the numbers come from
//
//   - Site totals (lifetime, today, in the room now) are the sum, over the
//     site's devices and each device's store epochs, of the latest totals
//     message (the highest seq wins): exact whatever events were missed.
//   - A day's counts are, for each device epoch, its closed-day message
//     (daily/{date}) when the hub has it, else the sum of its stored events;
//     Day.FromDaily and Day.FromEvents say which.
//   - Hours, the module funnel and the answers come from the events stored,
//     bucketed by when they happened in the site's zone (from the totals'
//     timezone), so a device back after a week offline fills in the hours it
//     was away instead of piling into "now".
//
// # Scale
//
// One process on a small machine serves a district (50 rooms × 4 devices is
// a few events a second; the ingest benchmark stores thousands a second on
// SQLite). A city runs several wufang-hub replicas behind a clustered
// broker (EMQX, VerneMQ; Mosquitto for one machine) and one PostgreSQL:
//
//   - the replicas share the event stream through the shared subscription
//     $share/{mqtt.share_group}/…/event, so each event goes to one replica
//     and adding replicas adds throughput;
//   - each replica takes the retained status, totals and daily topics
//     plainly: brokers do not hand retained messages to shared subscribers,
//     and every replica needs every device's latest state;
//   - the dedupe is in the database, not in a replica's memory: an event is
//     stored once by its primary key (site, device, epoch, seq), and the
//     aggregates grow in the same transaction by exactly the rows that were
//     new; totals and closed days are upserts where the highest seq wins. So
//     a replica that restarts, a replay of everything retained, a broker
//     that redelivers, or two replicas that both receive an event change no
//     number;
//   - each replica keeps a persistent session under its own stable
//     mqtt.client_id and acknowledges a message only after its transaction
//     committed, so a replica killed mid-batch loses nothing: the broker
//     sends the unacknowledged messages again when it comes back. Bring a
//     replica back under the same client id: Mosquitto keeps queuing a
//     shared group's messages for an offline member's session, so a
//     replica retired for good strands them until its session is removed
//     at the broker (the totals stay exact; the hours would miss them).
//
// Mosquitto 2.0 does not restore shared subscriptions from its persistence
// file: events published after a Mosquitto restart and before the hub has
// subscribed again are dropped for the group. A single hub on Mosquitto
// therefore sets mqtt.share_group: "" (a plain subscription, which
// Mosquitto keeps); the totals stay exact either way, only the hourly
// series would have holes (shown as missing events).
package hub
