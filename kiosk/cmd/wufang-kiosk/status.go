package main

import (
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/kiosk/adminui"
)

// adminDevice is the device runtime as admin mode reads it: adminui declares
// the status it shows, so that it links nothing of edge/node (the store,
// the uplink, the sensor drivers); Sensors is the node's own.
type adminDevice struct{ *node.Node }

var _ adminui.Device = adminDevice{}

func (d adminDevice) Status() adminui.Status {
	s := adminStatus(d.Node.Status())
	s.Offer = d.Node.OfferState()
	return s
}

func adminStatus(s node.Status) adminui.Status {
	u := s.Uplink
	out := adminui.Status{
		Totals: s.Totals,
		Uplink: adminui.UplinkStatus{Enabled: u.Enabled, Broker: u.Broker, Connected: u.Connected, Since: u.Since,
			LastError: u.LastError, ErrorAt: u.ErrorAt, Attempts: u.Attempts, NextRetry: u.NextRetry, Sent: u.Sent},
		Store: adminui.StoreStatus{Backlog: s.Store.Backlog, Dropped: s.Store.Dropped, Recovered: s.Store.Recovered,
			State: s.Store.State, LastError: s.Store.LastError, RecordFailures: s.Store.RecordFailures},
	}
	for _, x := range s.Sensors {
		out.Sensors = append(out.Sensors, adminui.SensorStatus{Sensor: x.Sensor, Level: x.Level, Reason: x.Reason, LastEvent: x.LastEvent})
	}
	return out
}
