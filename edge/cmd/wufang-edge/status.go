package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func (e *env) status(args []string) error {
	fs := e.flags("status", "status [--json]")
	asJSON := fs.Bool("json", false, "print the status document as JSON (the totals payload plus uplink state)")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	st, err := loadStatus(cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStatus(e.stdout, st)
	return nil
}

// endpoint is the base URL of the daemon's status endpoint, "" when off.
func endpoint(cfg *config.Config) string {
	if cfg.HTTP.Listen == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(cfg.HTTP.Listen)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func httpGet(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// loadStatus asks the running daemon, or reads the store file when the
// daemon is not running.
func loadStatus(cfg *config.Config) (node.Status, error) {
	var st node.Status
	base := endpoint(cfg)
	var httpErr error
	if base != "" {
		if httpErr = httpGet(context.Background(), base+"/status", &st); httpErr == nil {
			return st, nil
		}
	}
	s, err := openReadOnly(cfg, base, httpErr)
	if err != nil {
		return st, err
	}
	defer s.Close()
	st = node.Status{
		Totals:  s.Totals(),
		App:     version,
		Running: false,
		Uplink:  uplink.State{Enabled: cfg.MQTT.Broker != "", Broker: cfg.MQTT.Broker, LastError: "the daemon is not running"},
		Store:   node.StoreStatusOf(s.Path(), s.Stats()),
	}
	return st, nil
}

func openReadOnly(cfg *config.Config, base string, httpErr error) (*store.Store, error) {
	path := node.StorePath(cfg)
	s, err := store.OpenReadOnly(path, node.StoreOptions(cfg, slog.New(slog.DiscardHandler)))
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no event store at %s yet: wufang-edge run has not run with this config (data_dir: %s)", path, cfg.DataDir)
	case errors.Is(err, store.ErrLocked) && base != "":
		return nil, fmt.Errorf("the daemon holds %s but its status endpoint %s does not answer (%v)", path, base, httpErr)
	default:
		return nil, err
	}
}

func printStatus(w io.Writer, st node.Status) {
	state := "running"
	if !st.Running {
		state = "not running (read from the store file)"
	}
	fmt.Fprintf(w, "wufang %s/%s  daemon %s  app %s\n", st.Site, st.Device, state, st.App)
	fmt.Fprintf(w, "today %s (%s): %s\n", st.Date, st.TimeZone, counterLine(st.Today))
	fmt.Fprintf(w, "lifetime:         %s\n", counterLine(st.Lifetime))
	s := st.Store
	fmt.Fprintf(w, "store: last seq %d, backlog %d, dropped %d, boot %d, %s of %s\n",
		s.LastSeq, s.Backlog, s.Dropped, s.Boot, bytesText(s.Bytes), bytesText(s.MaxBytes))
	if s.Dropped > 0 {
		fmt.Fprintf(w, "  %d events were dropped unsent because the store reached its disk cap; the counters still include them\n", s.Dropped)
	}
	if s.State != "" && s.State != store.StateOK {
		fmt.Fprintf(w, "  STORE %s", strings.ToUpper(s.State))
		if s.RecordFailures > 0 {
			fmt.Fprintf(w, ": %d events could not be recorded since start", s.RecordFailures)
		}
		fmt.Fprintln(w)
		if s.LastError != "" {
			fmt.Fprintf(w, "  %s\n", s.LastError)
		}
	}
	if s.Recovered != "" {
		fmt.Fprintf(w, "  the database file was damaged and was moved aside to %s (what could be read was kept)\n", s.Recovered)
	}
	u := st.Uplink
	switch {
	case !u.Enabled:
		fmt.Fprintln(w, "uplink: off (mqtt.broker is empty)")
	case u.Connected:
		fmt.Fprintf(w, "uplink: connected to %s since %s, %d events sent since start\n", u.Broker, u.Since.Local().Format(time.DateTime), u.Sent)
	default:
		fmt.Fprintf(w, "uplink: NOT connected to %s", u.Broker)
		if !u.Since.IsZero() {
			fmt.Fprintf(w, " since %s", u.Since.Local().Format(time.DateTime))
		}
		fmt.Fprintln(w)
		if u.LastError != "" {
			fmt.Fprintf(w, "  last error: %s\n", u.LastError)
		}
		if !u.NextRetry.IsZero() {
			fmt.Fprintf(w, "  next attempt at %s (%d failed in a row)\n", u.NextRetry.Local().Format(time.TimeOnly), u.Attempts)
		}
	}
	if len(st.Sensors) > 0 {
		var parts []string
		for _, h := range st.Sensors {
			p := h.Sensor + " " + h.Level
			if h.Level != "ok" && h.Reason != "" {
				p += " (" + h.Reason + ")"
			}
			parts = append(parts, p)
		}
		fmt.Fprintf(w, "sensors: %s\n", strings.Join(parts, ", "))
	}
}

func counterLine(c wire.Counters) string {
	line := fmt.Sprintf("entries %d, exits %d, sessions %d", c.Entries, c.Exits, c.Sessions)
	if c.AfterHoursEntries+c.AfterHoursExits > 0 {
		line += fmt.Sprintf(" (after hours: %d in, %d out)", c.AfterHoursEntries, c.AfterHoursExits)
	}
	if n := sum(c.ModulesCompleted); n > 0 {
		line += fmt.Sprintf(", modules completed %d (passed %d)", n, sum(c.ModulesPassed))
	}
	if f := c.Feedback; f[0]+f[1]+f[2] > 0 {
		line += fmt.Sprintf(", feedback %d/%d/%d", f[0], f[1], f[2])
	}
	if c.SensorFaults > 0 {
		line += fmt.Sprintf(", sensor faults %d", c.SensorFaults)
	}
	return line
}

func sum(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}

// sortedKeys is the union of the maps' keys, sorted.
func sortedKeys(ms ...map[string]uint64) []string {
	var keys []string
	for _, m := range ms {
		keys = slices.AppendSeq(keys, maps.Keys(m))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
