// The runtime re-reads the cgroup CPU limit every second to update
// GOMAXPROCS (Go 1.25+); a kiosk board has no such limit, and that read was
// one of an idle kiosk's few remaining wake-ups a second.
//
//go:debug updatemaxprocs=0

// Command wufang-edge is the wufang door-counter node: the room's sensors,
// the durable event store and the MQTT uplink without a screen, plus the
// commands staff use to check that counts reach the hub.
//
//	wufang-edge [--config PATH] run              run until SIGTERM or Ctrl-C
//	wufang-edge [--config PATH] status [--json]  counters, backlog, uplink state
//	wufang-edge [--config PATH] watch [--broker URL --site SITE …]
//	wufang-edge [--config PATH] export --from DATE --to DATE > days.csv
//	wufang-edge [--config PATH] config check
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
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/internal/sdnotify"
	wversion "github.com/wufang-kiosk/wufang/internal/version"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

// version is the one every wufang binary reports (internal/version says how
// the build stamps it).
var version = wversion.String()

const usage = `wufang-edge: the wufang door-counter node and staff tools

Usage:
  wufang-edge [--config PATH] <command> [flags]

Commands:
  run            run the sensors, the event store, the MQTT uplink and the
                 local status endpoint until SIGTERM or Ctrl-C
  status         this device's counters, backlog and uplink state (--json for
                 the same document as the totals payload plus the uplink state)
  watch          live table of a site's devices from the broker's retained
                 status and totals: what the hub sees
  export         daily counters as CSV: --from 2026-01-01 --to 2026-01-31
  config check   print the effective config (secrets redacted); exit 1 on errors
  notify-relay -- CMD [ARG...]
                 run CMD, passing its systemd notifications (READY=1,
                 WATCHDOG=1) on as this process: for a unit whose service
                 runs below its main process (wufang-kiosk session start)

Global flags:
  --config PATH  config file (default /etc/wufang/wufang.yaml; without it
                 the built-in defaults run a simulated demo)
  --version      print the version
  --help         this text; "wufang-edge <command> --help" for a command's flags
`

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the command line args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return cmdline.Exit("wufang-edge", dispatch(args, stdout, stderr), stderr)
}

type env struct {
	configPath string
	stdout     io.Writer
	stderr     io.Writer
}

func (e *env) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		var es config.Errors
		if errors.As(err, &es) {
			return nil, fmt.Errorf("the config has errors:\n%w", err)
		}
		return nil, cmdline.FileError("config file", err)
	}
	return cfg, nil
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	e := &env{configPath: config.DefaultPath, stdout: stdout, stderr: stderr}
	global := flag.NewFlagSet("wufang-edge", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.configPath, "config", config.DefaultPath, "config file")
	showVersion := global.Bool("version", false, "print the version")
	global.Usage = func() {}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return flag.ErrHelp
		}
		return cmdline.Usagef("%v", err)
	}
	if *showVersion {
		fmt.Fprintf(stdout, "wufang-edge %s\n", version)
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
	case "status":
		return e.status(cargs)
	case "watch":
		return e.watch(cargs)
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
	case "notify-relay":
		return notifyRelay(cargs)
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
		fmt.Fprintf(stdout, "wufang-edge %s\n", version)
		return nil
	default:
		return cmdline.Usagef("unknown command %q; the commands are run, status, watch, export and config check", cmd)
	}
}

// flags returns a command's flag set; it also accepts --config after the
// command.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	return cmdline.Flags("wufang-edge", name, synopsis, &e.configPath, e.stdout, e.stderr)
}

func (e *env) run(args []string) error {
	fs := e.flags("run", "run [--sim-script FILE]")
	script := fs.String("sim-script", "", "play this visitor script (sensors/sim format) on the simulated sensors")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	if *script != "" { // the node plays it later; a wrong path must stop the start, not only log
		f, err := os.Open(*script)
		if err == nil {
			_, err = sim.ParseScript(f)
			f.Close()
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return cmdline.FileError("run --sim-script: the script", err)
		}
		if err != nil {
			msg := err.Error()
			if len(msg) > 120 { // a binary file's "line" can be megabytes
				msg = strings.ToValidUTF8(msg[:120], "") + "…"
			}
			return fmt.Errorf("run --sim-script: %s is not a visitor script (%s); give a script in the sensors/sim format", *script, msg)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := e.logger()
	n, err := node.Start(ctx, cfg, node.Options{Version: version, Logger: log, SimScript: *script})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w\nAnother wufang-edge or wufang-kiosk uses this data_dir (%s): stop it first (systemctl stop wufang-edge wufang-kiosk)", err, cfg.DataDir)
	}
	if err != nil {
		return err
	}
	// systemd (Type=notify, WatchdogSec=): ready now; the watchdog is fed
	// while the node is healthy (edge/node Healthy).
	stopNotify := sdnotify.FromEnv().Serve(ctx, "running", func(context.Context) error { return n.Healthy() }, log)
	select {
	case <-ctx.Done():
		log.Info("stopping")
	case <-n.Done(): // stopped by itself: the store broke (Wait says so)
	}
	stopNotify()
	if err := n.Wait(); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// notifyRelay runs "notify-relay -- CMD ARG...": CMD in place of this
// process, with its notifications relayed where systemd listens for them
// (sdnotify.ExecRelayed). A pure-Go binary keeps the relay, which lives as
// long as the kiosk, small.
func notifyRelay(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return cmdline.Usagef("notify-relay needs a command: notify-relay -- CMD [ARG...]")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return fmt.Errorf("notify-relay: cannot run %s: it is not an executable program (give its full path, or check PATH)", args[0])
	}
	return sdnotify.ExecRelayed(path, args, os.Environ())
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
	fmt.Fprintf(e.stdout, "# config OK: %s\n# effective configuration, secrets redacted:\n%s", src, out)
	if !strings.HasSuffix(string(out), "\n") {
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }
