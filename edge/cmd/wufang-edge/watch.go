package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func (e *env) watch(args []string) error {
	fs := e.flags("watch", "watch [--broker URL] [--site SITE] [--username NAME --password-file FILE] [--ca-file FILE] [--once]")
	broker := fs.String("broker", "", "broker URL, tcp://host:1883 or ssl://host:8883 (default: mqtt.broker of the config)")
	site := fs.String("site", "", "site id to watch (default: site of the config)")
	username := fs.String("username", "", "MQTT username (default: mqtt.username of the config)")
	passwordFile := fs.String("password-file", "", "file holding the MQTT password (default: mqtt.password_file)")
	caFile := fs.String("ca-file", "", "CA that signs the broker's certificate (default: mqtt.ca_file)")
	certFile := fs.String("cert-file", "", "client certificate for mutual TLS (default: mqtt.cert_file)")
	keyFile := fs.String("key-file", "", "client key for mutual TLS (default: mqtt.key_file)")
	root := fs.String("topic-root", "", "topic root (default: mqtt.topic_root)")
	once := fs.Bool("once", false, "print the table once the retained messages are in, and exit")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	pick := func(flagV, cfgV string) string {
		if flagV != "" {
			return flagV
		}
		return cfgV
	}
	ucfg := uplink.Config{
		Broker:    pick(*broker, cfg.MQTT.Broker),
		Site:      pick(*site, cfg.Site),
		TopicRoot: pick(*root, cfg.MQTT.TopicRoot),
		Username:  pick(*username, cfg.MQTT.Username),
		CAFile:    pick(*caFile, cfg.MQTT.CAFile),
		CertFile:  pick(*certFile, cfg.MQTT.CertFile),
		KeyFile:   pick(*keyFile, cfg.MQTT.KeyFile),
	}
	if ucfg.Broker == "" {
		return cmdline.Usagef("watch needs a broker: --broker tcp://host:1883 (or mqtt.broker in the config)")
	}
	var bad []string // the config's own broker check, speaking of --broker when the flag gave it
	config.CheckMQTT(&config.MQTT{Broker: ucfg.Broker}, func(key, format string, args ...any) {
		if key == "mqtt.broker" {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	})
	if len(bad) > 0 {
		from := "mqtt.broker in " + e.configPath
		if *broker != "" {
			from = "--broker"
		}
		return cmdline.Usagef("watch: %s: %s", from, bad[0])
	}
	if !wire.ValidID(ucfg.Site) {
		return cmdline.Usagef("watch --site %q is not a site id ([a-z0-9][a-z0-9-]{0,62})", ucfg.Site)
	}
	if pf := pick(*passwordFile, cfg.MQTT.PasswordFile); pf != "" {
		b, err := os.ReadFile(pf)
		if err != nil {
			return cmdline.FileError("watch: the MQTT password file", err)
		}
		ucfg.Password = strings.TrimRight(string(b), "\r\n")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var mu sync.Mutex
	var latest uplink.Site
	var lastMsg time.Time
	updated := make(chan struct{}, 1)
	go func() {
		_ = uplink.Watch(ctx, ucfg, func(s uplink.Site) {
			mu.Lock()
			latest, lastMsg = s, time.Now()
			mu.Unlock()
			select {
			case updated <- struct{}{}:
			default:
			}
		})
	}()
	snapshot := func() (uplink.Site, time.Time) {
		mu.Lock()
		defer mu.Unlock()
		return latest, lastMsg
	}
	if *once {
		began := time.Now()
		deadline := time.After(10 * time.Second)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-deadline:
				s, _ := snapshot()
				printSite(e.stdout, ucfg, s)
				if !s.Connected {
					return fmt.Errorf("could not connect to %s: %s", ucfg.Broker, s.LastError)
				}
				return nil
			case <-tick.C:
				s, last := snapshot()
				if !s.Connected && s.LastError != "" && time.Since(began) > 2*time.Second {
					return fmt.Errorf("could not connect to %s: %s", ucfg.Broker, s.LastError)
				}
				// Retained messages arrive in a burst right after subscribing.
				if s.Connected && time.Since(last) > 700*time.Millisecond {
					printSite(e.stdout, ucfg, s)
					return nil
				}
			}
		}
	}
	tty := isTerminal(e.stdout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	dirty := true
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-updated:
			dirty = true
		case <-tick.C:
			if !dirty {
				continue
			}
			dirty = false
			s, _ := snapshot()
			if tty {
				fmt.Fprint(e.stdout, "\x1b[H\x1b[2J")
			}
			printSite(e.stdout, ucfg, s)
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printSite(w io.Writer, cfg uplink.Config, s uplink.Site) {
	conn := "connected"
	if !s.Connected {
		conn = "NOT connected"
		if s.LastError != "" {
			conn += ": " + s.LastError
		}
	}
	fmt.Fprintf(w, "site %s at %s (%s), %s\n", cfg.Site, cfg.Broker, conn, time.Now().Format(time.DateTime))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "device\tonline\tboot\tbacklog\tdropped\ttoday in\ttoday out\tsessions\tlifetime in\tlifetime out\tseq\tupdated\t")
	var today, life wire.Counters
	// "Today" of a device that has not published since midnight is an
	// older day: shown as -, not summed.
	latest := ""
	for _, d := range s.Devices {
		if d.Totals != nil && d.Totals.Date > latest {
			latest = d.Totals.Date
		}
	}
	for _, d := range s.Devices {
		online, boot, backlog, dropped := "?", "", "", ""
		if d.Status != nil {
			online = "no"
			if d.Status.Online {
				online = "yes"
			}
			boot, backlog, dropped = fmt.Sprint(d.Status.Boot), fmt.Sprint(d.Status.Backlog), fmt.Sprint(d.Status.Dropped)
		}
		var tin, tout, sess, lin, lout, seq string
		if t := d.Totals; t != nil {
			life.Merge(t.Lifetime)
			tin, tout, sess = "-", "-", "-"
			if t.Date == latest {
				today.Merge(t.Today)
				tin, tout, sess = fmt.Sprint(t.Today.Entries), fmt.Sprint(t.Today.Exits), fmt.Sprint(t.Today.Sessions)
			}
			lin, lout, seq = fmt.Sprint(t.Lifetime.Entries), fmt.Sprint(t.Lifetime.Exits), fmt.Sprint(t.Seq)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", d.Device, online, boot, backlog, dropped,
			tin, tout, sess, lin, lout, seq, d.UpdatedAt.Format(time.TimeOnly))
		if d.Bad != "" {
			fmt.Fprintf(tw, "  refused payload: %s\t\t\t\t\t\t\t\t\t\t\t\t\n", d.Bad)
		}
	}
	fmt.Fprintf(tw, "site total (%d devices, today = %s)\t\t\t\t\t%d\t%d\t%d\t%d\t%d\t\t\t\n", len(s.Devices), cmp.Or(latest, "-"),
		today.Entries, today.Exits, today.Sessions, life.Entries, life.Exits)
	tw.Flush()
}
