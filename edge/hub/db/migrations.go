package db

// migrations are the schema, one step each, applied in order, each in its
// own transaction with the schema_version row moved in the same
// transaction (Miniflux's internal/database habit): a hub that stops half
// way through an upgrade resumes at the step that did not commit. Steps are
// never edited once released; a change is a new step at the end.
//
// The SQL is written once for both backends: BIGINT, INTEGER and TEXT mean
// the same to SQLite and PostgreSQL, times are Unix milliseconds (no time
// zone types to disagree about), booleans are 0/1 integers.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE sites (
	site        TEXT PRIMARY KEY,
	timezone    TEXT NOT NULL DEFAULT '',
	first_heard BIGINT NOT NULL,
	last_heard  BIGINT NOT NULL
);

CREATE TABLE devices (
	site            TEXT NOT NULL,
	device          TEXT NOT NULL,
	first_heard     BIGINT NOT NULL,
	last_heard      BIGINT NOT NULL,
	has_status      INTEGER NOT NULL DEFAULT 0,
	online          INTEGER NOT NULL DEFAULT 0,
	online_changed  BIGINT NOT NULL DEFAULT 0,
	status_time     BIGINT NOT NULL DEFAULT 0,
	app             TEXT NOT NULL DEFAULT '',
	pack            TEXT NOT NULL DEFAULT '',
	pack_version    TEXT NOT NULL DEFAULT '',
	boot            BIGINT NOT NULL DEFAULT 0,
	backlog         BIGINT NOT NULL DEFAULT 0,
	dropped         BIGINT NOT NULL DEFAULT 0,
	sensors         TEXT NOT NULL DEFAULT '{}',
	connected_since BIGINT NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	epoch           TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (site, device)
);

CREATE TABLE streams (
	site             TEXT NOT NULL,
	device           TEXT NOT NULL,
	epoch            TEXT NOT NULL,
	complete_through BIGINT NOT NULL DEFAULT 0,
	max_seq          BIGINT NOT NULL DEFAULT 0,
	first_heard      BIGINT NOT NULL,
	last_heard       BIGINT NOT NULL,
	PRIMARY KEY (site, device, epoch)
);

CREATE TABLE events (
	site         TEXT NOT NULL,
	device       TEXT NOT NULL,
	epoch        TEXT NOT NULL,
	seq          BIGINT NOT NULL,
	boot         BIGINT NOT NULL,
	time         BIGINT NOT NULL,
	kind         TEXT NOT NULL,
	module       TEXT NOT NULL DEFAULT '',
	step         TEXT NOT NULL DEFAULT '',
	correct      INTEGER,
	score        INTEGER NOT NULL DEFAULT 0,
	total        INTEGER NOT NULL DEFAULT 0,
	passed       INTEGER,
	rating       INTEGER NOT NULL DEFAULT 0,
	reason       TEXT NOT NULL DEFAULT '',
	lang         TEXT NOT NULL DEFAULT '',
	sensor       TEXT NOT NULL DEFAULT '',
	pack         TEXT NOT NULL DEFAULT '',
	pack_version TEXT NOT NULL DEFAULT '',
	after_hours  INTEGER NOT NULL DEFAULT 0,
	day          TEXT,
	hour         INTEGER,
	received     BIGINT NOT NULL,
	PRIMARY KEY (site, device, epoch, seq)
);
CREATE INDEX events_unbucketed ON events (site) WHERE day IS NULL;
CREATE INDEX events_time ON events (time);

CREATE TABLE totals (
	site     TEXT NOT NULL,
	device   TEXT NOT NULL,
	epoch    TEXT NOT NULL,
	seq      BIGINT NOT NULL,
	boot     BIGINT NOT NULL,
	time     BIGINT NOT NULL,
	date     TEXT NOT NULL,
	timezone TEXT NOT NULL,
	lifetime TEXT NOT NULL,
	today    TEXT NOT NULL,
	received BIGINT NOT NULL,
	PRIMARY KEY (site, device, epoch)
);

CREATE TABLE daily (
	site        TEXT NOT NULL,
	device      TEXT NOT NULL,
	epoch       TEXT NOT NULL,
	day         TEXT NOT NULL,
	seq         BIGINT NOT NULL,
	entries     BIGINT NOT NULL,
	exits       BIGINT NOT NULL,
	ah_entries  BIGINT NOT NULL,
	ah_exits    BIGINT NOT NULL,
	sessions    BIGINT NOT NULL,
	fb1         BIGINT NOT NULL,
	fb2         BIGINT NOT NULL,
	fb3         BIGINT NOT NULL,
	faults      BIGINT NOT NULL,
	counters    TEXT NOT NULL,
	received    BIGINT NOT NULL,
	PRIMARY KEY (site, day, device, epoch)
);

CREATE TABLE hourly (
	site       TEXT NOT NULL,
	day        TEXT NOT NULL,
	hour       INTEGER NOT NULL,
	device     TEXT NOT NULL,
	epoch      TEXT NOT NULL,
	entries    BIGINT NOT NULL DEFAULT 0,
	exits      BIGINT NOT NULL DEFAULT 0,
	ah_entries BIGINT NOT NULL DEFAULT 0,
	ah_exits   BIGINT NOT NULL DEFAULT 0,
	sessions   BIGINT NOT NULL DEFAULT 0,
	fb1        BIGINT NOT NULL DEFAULT 0,
	fb2        BIGINT NOT NULL DEFAULT 0,
	fb3        BIGINT NOT NULL DEFAULT 0,
	faults     BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (site, day, hour, device, epoch)
);

CREATE TABLE module_day (
	site      TEXT NOT NULL,
	day       TEXT NOT NULL,
	module    TEXT NOT NULL,
	device    TEXT NOT NULL,
	epoch     TEXT NOT NULL,
	started   BIGINT NOT NULL DEFAULT 0,
	completed BIGINT NOT NULL DEFAULT 0,
	passed    BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (site, day, module, device, epoch)
);

CREATE TABLE answer_day (
	site    TEXT NOT NULL,
	day     TEXT NOT NULL,
	step    TEXT NOT NULL,
	device  TEXT NOT NULL,
	epoch   TEXT NOT NULL,
	module  TEXT NOT NULL DEFAULT '',
	right_n BIGINT NOT NULL DEFAULT 0,
	wrong_n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (site, day, step, device, epoch)
);
`,
	// 2: pack offers (issue 20): the offer the hub holds retained on
	// {root}/_offers/{site}/{device}, one row per (site, device), device
	// "_all" for the whole site; a withdrawn offer keeps its row with
	// withdrawn set, so the dashboard can say what was withdrawn when.
	`
CREATE TABLE pack_offers (
	site       TEXT NOT NULL,
	device     TEXT NOT NULL,
	pack       TEXT NOT NULL,
	version    TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	size       BIGINT NOT NULL,
	url        TEXT NOT NULL,
	rollback   INTEGER NOT NULL DEFAULT 0,
	offered    BIGINT NOT NULL,
	withdrawn  BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (site, device)
);
CREATE INDEX events_pack ON events (site, device, kind) WHERE kind IN ('pack.installed', 'pack.rejected');
`,
	// 3: each device's own report on its offer (status.offer, JSON; ''
	// when it reports none), beside the pack events.
	`
ALTER TABLE devices ADD COLUMN offer TEXT NOT NULL DEFAULT '';
`,
	// 4: each device's last answer (pack.installed or pack.rejected) for
	// each pack version, written with the event, so the dashboard reads
	// an offer's outcome without scanning the events and keeps it after
	// the raw events are pruned. Filled from the events already stored.
	`
CREATE TABLE pack_answers (
	site     TEXT NOT NULL,
	device   TEXT NOT NULL,
	pack     TEXT NOT NULL,
	version  TEXT NOT NULL,
	kind     TEXT NOT NULL,
	reason   TEXT NOT NULL DEFAULT '',
	time     BIGINT NOT NULL,
	received BIGINT NOT NULL,
	PRIMARY KEY (site, device, pack, version)
);
INSERT INTO pack_answers (site, device, pack, version, kind, reason, time, received)
SELECT site, device, pack, pack_version, kind, reason, time, received FROM (
	SELECT site, device, pack, pack_version, kind, reason, time, received,
		ROW_NUMBER() OVER (PARTITION BY site, device, pack, pack_version ORDER BY received DESC, time DESC, seq DESC) AS n
	FROM events WHERE kind IN ('pack.installed', 'pack.rejected') AND pack <> '' AND pack_version <> ''
) latest WHERE n = 1;
`,
	// 5: the pack studio (issue 20, edge/hub/studio): drafts, each save a
	// revision naming its files by SHA-256 (JSON path -> hash), the files
	// themselves once each in studio_blobs (base64: one column type both
	// engines share), and the releases published from a revision.
	`
CREATE TABLE studio_drafts (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created    BIGINT NOT NULL,
	head       BIGINT NOT NULL
);
CREATE TABLE studio_revisions (
	draft  TEXT NOT NULL,
	rev    BIGINT NOT NULL,
	author TEXT NOT NULL,
	saved  BIGINT NOT NULL,
	note   TEXT NOT NULL,
	files  TEXT NOT NULL,
	PRIMARY KEY (draft, rev)
);
CREATE TABLE studio_blobs (
	sha256 TEXT PRIMARY KEY,
	data   TEXT NOT NULL
);
CREATE TABLE studio_releases (
	pack        TEXT NOT NULL,
	version     TEXT NOT NULL,
	draft       TEXT NOT NULL,
	rev         BIGINT NOT NULL,
	released_by TEXT NOT NULL,
	released    BIGINT NOT NULL,
	files       TEXT NOT NULL,
	signed      TEXT NOT NULL DEFAULT '',
	signed_by   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (pack, version)
);
`,
}
