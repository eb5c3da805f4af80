// Command wufang-hub is the district hub: it subscribes to the central
// broker, keeps every room's counts exactly in SQLite (default) or
// PostgreSQL, computes alerts and serves the dashboard (edge/hub/web), a
// JSON API, /metrics and /healthz.
//
//	wufang-hub [--config PATH] run
//	wufang-hub hash-password
//	wufang-hub [--config PATH] export --site S --from DATE --to DATE [--hourly] > days.csv
//	wufang-hub [--config PATH] config check
//
// It builds with CGO_ENABLED=0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // site time zones must resolve on a board without /usr/share/zoneinfo

	"golang.org/x/term"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/hubconfig"
	"github.com/wufang-kiosk/wufang/edge/hub/ingest"
	"github.com/wufang-kiosk/wufang/edge/hub/studio"
	"github.com/wufang-kiosk/wufang/edge/hub/web"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	wversion "github.com/wufang-kiosk/wufang/internal/version"
)

// version is the one every wufang binary reports (internal/version says how
// the build stamps it).
var version = wversion.String()

const usage = `wufang-hub: the wufang district hub

Usage:
  wufang-hub [--config PATH] <command> [flags]

Commands:
  run            subscribe to the broker, store every room's counts, serve the
                 dashboard (http://127.0.0.1:9108/ by default), the JSON API
                 (/api/v1/), /metrics and /healthz until SIGTERM or Ctrl-C
  hash-password  ask for a dashboard password twice (not echoed) and print the
                 hash to put under http.users in the config
  export         a site's counts as CSV: --site S --from 2026-01-01 --to 2026-01-31
                 (one row a day; --hourly for one row an hour)
  offer          offer a signed pack from content.packs_dir to a site or to some of
                 its devices, withdraw it, or offer the previous release:
                 offer --site S [--device D]... PACK | --withdraw | --previous,
                 offer --list for each device's pack and offer outcome
  config check   print the effective config (secrets redacted); exit 1 on errors

Global flags:
  --config PATH  config file (default /etc/wufang/hub.yaml; without it the
                 built-in defaults use the broker on this machine and SQLite
                 in the data folder)
  --version      print the version
  --help         this text; "wufang-hub <command> --help" for a command's flags
`

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main runs the command line args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return cmdline.Exit("wufang-hub", dispatch(args, stdout, stderr), stderr)
}

type env struct {
	configPath     string
	stdout, stderr io.Writer
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	e := &env{configPath: hubconfig.DefaultPath, stdout: stdout, stderr: stderr}
	global := flag.NewFlagSet("wufang-hub", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.configPath, "config", hubconfig.DefaultPath, "config file")
	showVersion := global.Bool("version", false, "print the version")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return flag.ErrHelp
		}
		return cmdline.Usagef("%v", err)
	}
	if *showVersion {
		fmt.Fprintf(stdout, "wufang-hub %s\n", version)
		return nil
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return cmdline.Usagef("no command given")
	}
	cmd, cargs := rest[0], rest[1:]
	switch cmd {
	case "run":
		return e.run(cargs)
	case "export":
		return e.export(cargs)
	case "config":
		if len(cargs) > 0 && isHelp(cargs[0]) {
			cargs = []string{"check", cargs[0]}
		}
		if len(cargs) == 0 || cargs[0] != "check" {
			return cmdline.Usagef("config takes one subcommand: config check")
		}
		return e.configCheck(cargs[1:])
	case "hash-password":
		if len(cargs) == 1 && isHelp(cargs[0]) {
			fmt.Fprint(stdout, "Usage: wufang-hub hash-password\n\nAsks for a dashboard password twice (not echoed at a terminal; two lines on a pipe)\nand prints its hash for http.users in the config.\n")
			return nil
		}
		if len(cargs) > 0 {
			return cmdline.Usagef("hash-password takes no arguments: it asks for the password")
		}
		if web.HashPasswordCommand(os.Stdin, stdout, stderr, term.IsTerminal(int(os.Stdin.Fd()))) != 0 {
			return cmdline.ErrReported // it said why, and that nothing was printed
		}
		return nil
	case "offer":
		return e.offer(cargs)
	case "help":
		if len(cargs) > 0 { // "help run" is "run --help"
			if cargs[0] == "config" {
				cargs = []string{"config", "check"}
			}
			return dispatch(append(cargs[:len(cargs):len(cargs)], "--help"), stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	case "version":
		fmt.Fprintf(stdout, "wufang-hub %s\n", version)
		return nil
	default:
		return cmdline.Usagef("unknown command %q; the commands are run, export, offer, config check and hash-password", cmd)
	}
}

func (e *env) flags(name, synopsis string) *flag.FlagSet {
	return cmdline.Flags("wufang-hub", name, synopsis, &e.configPath, e.stdout, e.stderr)
}

func (e *env) loadConfig() (*hubconfig.Config, error) {
	cfg, err := hubconfig.Load(e.configPath)
	if err != nil {
		var es config.Errors
		if errors.As(err, &es) {
			return nil, fmt.Errorf("the config has errors:\n%w", err)
		}
		return nil, cmdline.FileError("config file", err)
	}
	return cfg, nil
}

func (e *env) configCheck(args []string) error {
	fs := e.flags("config check", "config check")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	out, err := cfg.Redacted()
	if err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	src := cfg.Path
	if src == "" {
		src = e.configPath + " (not found: built-in defaults)"
	}
	fmt.Fprintf(e.stdout, "# config OK: %s\n# database: %s\n# effective configuration, secrets redacted:\n%s", src, redactDB(cfg.DatabaseURL()), out)
	return nil
}

func redactDB(u string) string {
	if i := strings.Index(u, "@"); i >= 0 && strings.HasPrefix(u, "postgres") {
		if j := strings.Index(u[:i], "://"); j >= 0 {
			if k := strings.Index(u[j+3:i], ":"); k >= 0 {
				return u[:j+3+k] + ":REDACTED" + u[i:]
			}
		}
	}
	return u
}

func openHub(ctx context.Context, cfg *hubconfig.Config, log *slog.Logger) (*db.DB, *hub.Hub, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL())
	if err != nil {
		return nil, nil, fmt.Errorf("%w (check database.url, or that data_dir %s is writable)", err, cfg.DataDir)
	}
	def, sites := cfg.Schedules()
	trusted, err := content.ParsePublicKeys(cfg.Content.TrustedKeys)
	if err != nil {
		d.Close()
		return nil, nil, fmt.Errorf("content.trusted_keys: %w", err)
	}
	questions, problems := hub.LoadQuestions(cfg.Content.PacksDir, trusted)
	for _, p := range problems {
		log.Warn("pack skipped: its question texts will not be shown", "problem", p)
	}
	h := hub.New(d, hub.Options{OfflineAfter: cfg.Alerts.OfflineAfter.D(), DefaultHours: def, OpeningHours: sites,
		ImbalanceShare: cfg.Alerts.ImbalanceShare, ImbalanceMin: int64(cfg.Alerts.ImbalanceMin), SessionsShare: cfg.Alerts.SessionsShare,
		Questions: questions.Lookup})
	return d, h, nil
}

func (e *env) run(args []string) error {
	fs := e.flags("run", "run")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	password, err := cfg.Password()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	d, h, err := openHub(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	m := cfg.MQTT
	in := ingest.New(ingest.Config{
		MQTT: uplink.Config{Broker: m.Broker, TopicRoot: m.TopicRoot, Username: m.Username, Password: password,
			CAFile: m.CAFile, CertFile: m.CertFile, KeyFile: m.KeyFile, Keepalive: m.Keepalive.D()},
		ClientID: m.ClientID, ShareGroup: m.ShareGroup, PlainEvents: m.ShareGroup == "",
	}, d, log)

	var srv *http.Server
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("listen on http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		mux := http.NewServeMux()
		h.Routes(mux, in.Stats)
		off, err := e.packRoutes(ctx, mux, h, d, cfg, password, log)
		if err != nil {
			ln.Close()
			return err
		}
		dash, err := dashboard(h, d, cfg, off, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer dash.Close()
		go dash.Run(ctx) // warms the overview's caches now, so the first page after a start does not wait
		srv = web.HTTPServer(cfg.HTTP.Listen, dash.Handler(mux))
		tls := cfg.HTTP.TLSCert != ""
		go func() {
			var err error
			if tls {
				err = srv.ServeTLS(ln, cfg.HTTP.TLSCert, cfg.HTTP.TLSKey)
			} else {
				err = srv.Serve(ln)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("http server stopped", "error", err)
			}
		}()
		scheme := "http"
		if tls {
			scheme = "https"
		}
		log.Info("serving", "dashboard", scheme+"://"+ln.Addr().String()+"/", "api", "/api/v1/", "metrics", "/metrics")
	}
	log.Info("wufang-hub started", "version", version, "database", string(d.Backend()), "broker", m.Broker)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); housekeeping(ctx, h, d, cfg.Database.Retention.D(), log) }()
	// systemd (Type=notify, WatchdogSec=): ready now; the watchdog is fed
	// while the database answers and ingest moves; STOPPING=1 on SIGTERM.
	stopNotify := sdnotify.FromEnv().Serve(ctx, "running", func(ctx context.Context) error {
		return errors.Join(d.Healthy(ctx), in.Alive())
	}, log)
	context.AfterFunc(ctx, stopNotify)
	err = in.Run(ctx)
	stopNotify()
	wg.Wait()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	if err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// dashboard makes the web dashboard from the config: its users, the API
// token, and Open (no login) when no user is configured, which the config
// allows on loopback only.
func dashboard(h *hub.Hub, d *db.DB, cfg *hubconfig.Config, off *hub.Offerer, log *slog.Logger) (*web.Server, error) {
	opts := web.Options{Users: cfg.HTTP.Users, Roles: cfg.HTTP.Roles, Offers: off, Secure: cfg.HTTP.TLSCert != "", SessionTTL: cfg.HTTP.SessionTTL.D(), Log: log,
		Open: len(cfg.HTTP.Users) == 0}
	trusted, err := content.ParsePublicKeys(cfg.Content.TrustedKeys)
	if err != nil {
		return nil, fmt.Errorf("content.trusted_keys: %w", err)
	}
	opts.Studio = &web.StudioOptions{Store: studio.NewStore(d.SQL(), nil), PacksDir: cfg.Content.PacksDir, Trusted: trusted,
		SigningKeyFile: cfg.Content.SigningKeyFile}
	if k := cfg.Content.SigningKeyFile; k != "" {
		if _, err := studio.ReadSigningKey(k); err != nil { // refuse a key others may read at start, not at the first signing
			return nil, err
		}
	}
	if cfg.HTTP.TokenFile != "" {
		tok, err := web.TokenFromFile(cfg.HTTP.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("http.token_file: %w", err)
		}
		opts.Token = tok
	}
	if opts.Open {
		log.Warn("no http.users configured: the dashboard and the API are open to anyone on this machine; add a user with `wufang-hub hash-password`")
	}
	return web.New(h, opts)
}

// housekeeping samples the alerts once a minute (the backlog-growing alert
// needs the history) and prunes raw events past the retention once an hour.
func housekeeping(ctx context.Context, h *hub.Hub, d *db.DB, retention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		if _, err := h.Alerts(ctx); err != nil && ctx.Err() == nil {
			log.Warn("alerts", "error", err)
		}
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if n, err := d.Prune(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
				log.Warn("prune", "error", err)
			} else if n > 0 {
				log.Info("pruned raw events past the retention", "events", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }
