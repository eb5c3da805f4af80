package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/adminui"
)

// TestAdminStatus: every field admin mode shows is carried over from the
// node's status, by name, so a field added to adminui.Status without its
// conversion fails here.
func TestAdminStatus(t *testing.T) {
	at := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	var s node.Status
	s.Date, s.Time = "2026-05-12", at
	s.Today = wire.Counters{Entries: 12, Feedback: [3]uint64{1, 2, 3}}
	s.Lifetime = wire.Counters{Sessions: 3001}
	s.Uplink = uplink.State{Enabled: true, Broker: "ssl://hub:8883", Connected: true, Since: at.Add(-time.Hour),
		LastError: "refused", ErrorAt: at.Add(-2 * time.Hour), Attempts: 3, NextRetry: at.Add(time.Minute), Sent: 99}
	s.Store = node.StoreStatus{Backlog: 42, Dropped: 7, Recovered: "events.db.damaged", State: "disk full", LastError: "no space left", RecordFailures: 3}
	s.Sensors = []node.SensorStatus{{Sensor: "door", Level: "fault", Reason: "stuck", Since: at, LastEvent: at.Add(-time.Second)}}
	got := adminStatus(s)
	if !reflect.DeepEqual(got.Totals, s.Totals) {
		t.Errorf("totals: %+v, want %+v", got.Totals, s.Totals)
	}
	same := func(what string, a, b any) {
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		for i := range va.NumField() {
			name := va.Type().Field(i).Name
			f := vb.FieldByName(name)
			if !f.IsValid() {
				t.Errorf("%s.%s: node has no such field", what, name)
				continue
			}
			if va.Field(i).IsZero() || !reflect.DeepEqual(va.Field(i).Interface(), f.Interface()) {
				t.Errorf("%s.%s = %v, node has %v", what, name, va.Field(i).Interface(), f.Interface())
			}
		}
	}
	same("Uplink", got.Uplink, s.Uplink)
	same("Store", got.Store, s.Store)
	if len(got.Sensors) != 1 {
		t.Fatalf("sensors: %+v", got.Sensors)
	}
	same("Sensors[0]", got.Sensors[0], s.Sensors[0])
	var _ adminui.Device = adminDevice{}
}
