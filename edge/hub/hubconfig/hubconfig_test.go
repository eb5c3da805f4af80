package hubconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAndExample(t *testing.T) {
	c, err := Load(DefaultPath)
	if _, statErr := os.Stat(DefaultPath); statErr == nil {
		t.Skip(DefaultPath + " exists on this machine")
	}
	if err != nil || c.MQTT.Broker != "tcp://127.0.0.1:1883" || c.HTTP.Listen != "127.0.0.1:9108" || c.MQTT.ShareGroup != "wufang-hub" ||
		c.Database.Retention.D() != 400*24*time.Hour || !strings.HasSuffix(c.DatabaseURL(), "hub.db") {
		t.Fatalf("defaults %+v, %v", c, err)
	}
	// The example file in build/ is the defaults written out.
	ex, err := Load(filepath.Join("..", "..", "..", "build", "hub.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ex.Path, c.Path, ex.DataDir, c.DataDir = "", "", "", ""
	a, _ := ex.Redacted()
	b, _ := c.Redacted()
	if string(a) != string(b) {
		t.Fatalf("build/hub.example.yaml differs from the defaults:\n%s\n---\n%s", a, b)
	}
}

func TestErrorsAreLocated(t *testing.T) {
	text := `data_dir: relative
database:
  url: mysql://x
  retention: 2h
mqtt:
  broker: tcp://user:pw@host:1883
  share_group: "a/b"
  clientid: x
http:
  listen: "9108"
alerts:
  offline_after: 10s
  imbalance_share: 2
  opening_hours: {mon-fri: "9-5"}
`
	_, err := Parse("hub.yaml", []byte(text))
	if err == nil {
		t.Fatal("no error")
	}
	// Unknown keys are reported first, alone (the strict decoder's pass).
	if !strings.Contains(err.Error(), "hub.yaml:8:3: mqtt.clientid") {
		t.Fatalf("%v", err)
	}
	_, err = Parse("hub.yaml", []byte(strings.Replace(text, "  clientid: x\n", "", 1)))
	for _, want := range []string{
		"hub.yaml:1:11: data_dir:", "hub.yaml:3:8: database.url:", "hub.yaml:4:14: database.retention:",
		"hub.yaml:6:11: mqtt.broker: must not hold a user name", "hub.yaml:7:16: mqtt.share_group:",
		"hub.yaml:9:11: http.listen:", "hub.yaml:11:18: alerts.offline_after:", "hub.yaml:12:20: alerts.imbalance_share:",
		"alerts.opening_hours",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	if _, err := Parse("hub.yaml", []byte("mqtt:\n  share_group: \"\"\ndatabase:\n  url: postgres://hub:secret@db:5432/wufang\n")); err != nil {
		t.Fatal(err)
	} else if c, _ := Parse("hub.yaml", []byte("database:\n  url: postgres://hub:secret@db:5432/wufang\n")); c != nil {
		out, _ := c.Redacted()
		if strings.Contains(string(out), "secret") {
			t.Fatalf("the database password is printed:\n%s", out)
		}
	}
}
