package node

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/wufang-kiosk/wufang/edge/promtext"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/sensors/health"
)

// Status is the document of GET /status and `wufang-edge status --json`:
// the totals payload, plus the uplink's state, the store's figures and the
// sensors' health.
type Status struct {
	wire.Totals
	App     string         `json:"app"`
	Running bool           `json:"running"` // false when read from the file with the daemon stopped
	Uplink  uplink.State   `json:"uplink"`
	Store   StoreStatus    `json:"store"`
	Sensors []SensorStatus `json:"sensors,omitempty"`
}

// StoreStatus are the store's figures.
type StoreStatus struct {
	Path      string `json:"path"`
	Epoch     string `json:"epoch"` // see wire.EpochPattern
	Boot      uint64 `json:"boot"`
	LastSeq   uint64 `json:"last_seq"`
	Watermark uint64 `json:"watermark"`
	Backlog   uint64 `json:"backlog"`
	Dropped   uint64 `json:"dropped"`
	Events    uint64 `json:"events"`
	Bytes     int64  `json:"bytes"`
	MaxBytes  int64  `json:"max_bytes"`
	// Recovered names where a damaged database file was moved aside.
	Recovered string `json:"recovered,omitempty"`
	// State is ok, disk full, write error or damaged (store.State*).
	State string `json:"state"`
	// LastError is the last write problem in plain words.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// RecordFailures counts events lost because they could not be
	// recorded, since start.
	RecordFailures uint64 `json:"record_failures"`
}

// StoreStatusOf converts store figures.
func StoreStatusOf(path string, s store.Stats) StoreStatus {
	return StoreStatus{Path: path, Epoch: s.Epoch, Boot: s.Boot, LastSeq: s.LastSeq, Watermark: s.Watermark, Backlog: s.Backlog,
		Dropped: s.Dropped, Events: s.Events, Bytes: s.Bytes, MaxBytes: s.MaxBytes, Recovered: s.Recovered,
		State: s.State, LastError: s.LastError, LastErrorAt: s.LastErrorAt, RecordFailures: s.RecordFailures}
}

// SensorStatus is one sensor's health.
type SensorStatus struct {
	Sensor    string    `json:"sensor"`
	Level     string    `json:"level"`
	Reason    string    `json:"reason,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	LastEvent time.Time `json:"last_event,omitzero"`
}

// Status returns the node's status document.
func (n *Node) Status() Status {
	s := Status{
		Totals:  n.Store.Totals(),
		App:     n.opts.Version,
		Running: true,
		Uplink:  n.uplink.State(),
		Store:   StoreStatusOf(n.Store.Path(), n.Store.Stats()),
	}
	for _, h := range n.room.Health() {
		s.Sensors = append(s.Sensors, sensorStatus(h))
	}
	return s
}

func sensorStatus(h health.Status) SensorStatus {
	return SensorStatus{Sensor: h.Sensor, Level: string(h.Level), Reason: h.Reason, Since: h.Since, LastEvent: h.LastEvent}
}

// Handler serves GET /status (JSON), GET /metrics (Prometheus text format)
// and GET /days?from=&to= (the daily counters, JSON).
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(n.Status())
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", promtext.ContentType)
		WriteMetrics(w, n.Status())
	})
	mux.HandleFunc("GET /days", func(w http.ResponseWriter, r *http.Request) {
		from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
		for _, d := range []string{from, to} {
			if _, err := time.Parse(wire.DateLayout, d); err != nil {
				http.Error(w, "from and to must be dates like 2026-01-31", http.StatusBadRequest)
				return
			}
		}
		days, err := n.Store.Days(from, to)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if days == nil {
			days = []wire.Daily{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(days)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "wufang edge node: GET /status (JSON), /metrics (Prometheus), /days?from=yyyy-mm-dd&to=yyyy-mm-dd (JSON)")
	})
	return mux
}

// WriteMetrics writes s in the Prometheus text exposition format.
func WriteMetrics(w io.Writer, s Status) {
	m := &promtext.Writer{W: w}
	m.Gauge("wufang_info", "The device's identity and version.", 1, "site", s.Site, "device", s.Device, "app", s.App)
	m.Gauge("wufang_store_boot", "Boot count of the event store.", float64(s.Store.Boot))
	m.Gauge("wufang_store_last_seq", "Highest event sequence number recorded.", float64(s.Store.LastSeq))
	m.Gauge("wufang_store_watermark", "Every event up to this sequence number is acknowledged by the broker.", float64(s.Store.Watermark))
	m.Gauge("wufang_store_backlog", "Events recorded but not yet acknowledged by the broker.", float64(s.Store.Backlog))
	m.Counter("wufang_store_dropped_total", "Events dropped unsent because of the disk cap (counters are kept).", float64(s.Store.Dropped))
	m.Gauge("wufang_store_events", "Events held in the database file.", float64(s.Store.Events))
	m.Gauge("wufang_store_bytes", "Size of the database file.", float64(s.Store.Bytes))
	m.Gauge("wufang_store_max_bytes", "Disk cap of the database file.", float64(s.Store.MaxBytes))
	m.Gauge("wufang_store_ok", "1 while the event store works normally; 0 when the disk is full, a write fails or the file is damaged (see wufang_store_state).", promtext.Bool(s.Store.State == store.StateOK))
	m.Head("wufang_store_state", "The event store's state: 1 for the current one.", "gauge")
	for _, st := range []string{store.StateOK, store.StateFull, store.StateFailing, store.StateDamaged} {
		m.Sample("wufang_store_state", promtext.Bool(s.Store.State == st), "state", st)
	}
	m.Counter("wufang_store_record_failures_total", "Events that could not be recorded since start (lost).", float64(s.Store.RecordFailures))
	m.Gauge("wufang_uplink_enabled", "1 when a broker is configured.", promtext.Bool(s.Uplink.Enabled))
	m.Gauge("wufang_uplink_connected", "1 while connected to the broker.", promtext.Bool(s.Uplink.Connected))
	m.Counter("wufang_uplink_sent_total", "Events acknowledged by the broker since start.", float64(s.Uplink.Sent))
	m.Gauge("wufang_uplink_failed_attempts", "Failed connection attempts in a row.", float64(s.Uplink.Attempts))
	c := s.Lifetime
	m.Counter("wufang_door_entries_total", "People who came in through the door.", float64(c.Entries))
	m.Counter("wufang_door_exits_total", "People who went out through the door.", float64(c.Exits))
	m.Counter("wufang_door_after_hours_entries_total", "Entries outside opening hours.", float64(c.AfterHoursEntries))
	m.Counter("wufang_door_after_hours_exits_total", "Exits outside opening hours.", float64(c.AfterHoursExits))
	m.Counter("wufang_sessions_total", "Kiosk sessions started.", float64(c.Sessions))
	m.Counter("wufang_sensor_faults_total", "Sensor faults reported.", float64(c.SensorFaults))
	m.Labelled("wufang_modules_started_total", "Modules started, per module.", "module", c.ModulesStarted)
	m.Labelled("wufang_modules_completed_total", "Modules completed, per module.", "module", c.ModulesCompleted)
	m.Labelled("wufang_modules_passed_total", "Modules passed, per module.", "module", c.ModulesPassed)
	m.Head("wufang_feedback_total", "Feedback ratings (1 not satisfied, 2 OK, 3 satisfied).", "counter")
	for i, v := range c.Feedback {
		m.Sample("wufang_feedback_total", float64(v), "rating", fmt.Sprint(i+1))
	}
	if len(s.Sensors) > 0 {
		m.Head("wufang_sensor_ok", "1 when the sensor is healthy, 0 on a warning or fault.", "gauge")
		for _, h := range s.Sensors {
			m.Sample("wufang_sensor_ok", promtext.Bool(h.Level == string(health.OK)), "sensor", h.Sensor)
		}
	}
}
