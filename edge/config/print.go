package config

import (
	"go.yaml.in/yaml/v3"
)

// Redacted returns the effective configuration as YAML with secrets replaced
// by "<redacted>". The MQTT password itself is never held in Config; only the
// admin PIN hash needs hiding.
func (c *Config) Redacted() ([]byte, error) {
	cp := *c
	if cp.Kiosk.AdminPINHash != "" {
		cp.Kiosk.AdminPINHash = "<redacted>"
	}
	return yaml.Marshal(&cp)
}
