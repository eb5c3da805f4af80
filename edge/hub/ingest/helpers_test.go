package ingest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
)

var pubs atomic.Int64

func newPublisher(t *testing.T, b *brokertest.Broker) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(b.ClientOptions(fmt.Sprintf("test-pub-%d", pubs.Add(1))))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}
