package adminui

import (
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Status is what the staff screens show of the device runtime. The fields
// mirror edge/node's Status (the kiosk main converts one to the other), so
// that admin mode links nothing of the store, the uplink or the sensor
// drivers: only wire's plain value types.
type Status struct {
	wire.Totals // Date, Today, Lifetime; Time is when it was read
	Uplink      UplinkStatus
	Store       StoreStatus
	Sensors     []SensorStatus
	// Offer is the hub's pack offer and what the device did with it (nil:
	// none, or content.from_hub is off).
	Offer *wire.OfferState
}

// UplinkStatus is the uplink's connection state (edge/uplink's State).
type UplinkStatus struct {
	Enabled   bool // false: no broker configured
	Broker    string
	Connected bool
	Since     time.Time // connected or disconnected since
	LastError string
	ErrorAt   time.Time
	Attempts  int // failed connection attempts in a row
	NextRetry time.Time
	Sent      uint64 // events acknowledged by the broker since start
}

// StoreStatus is what the screens show of the event store.
type StoreStatus struct {
	Backlog uint64 // events not yet acknowledged by the hub
	Dropped uint64 // oldest events dropped to stay under the disk cap
	// Recovered names where a damaged database file was moved aside.
	Recovered string
	// State is ok, disk full, write error or damaged (edge/store's State*).
	State string
	// LastError is the last write problem in plain words.
	LastError string
	// RecordFailures counts events lost because they could not be recorded.
	RecordFailures uint64
}

// SensorStatus is one sensor's health.
type SensorStatus struct {
	Sensor    string
	Level     string // a sensors/health Level: ok, warning, fault
	Reason    string
	LastEvent time.Time
}
