// The runtime re-reads the cgroup CPU limit every second to update
// GOMAXPROCS (Go 1.25+); a kiosk board has no such limit, and that read was
// one of an idle kiosk's few remaining wake-ups a second.
//
//go:debug updatemaxprocs=0

// Command wufang-kiosk is the touchscreen exhibit: the visit UI, the room's
// sensors and the edge hub in one process. It is wiring only: config →
// sensors → store → uplink (edge/node), the active content pack (content),
// the visit (kiosk/flow) and its screens (kiosk/ui).
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
	"path/filepath"
	"syscall"

	"golang.org/x/term"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	wversion "github.com/wufang-kiosk/wufang/internal/version"
	"github.com/wufang-kiosk/wufang/kiosk/admin"
	"github.com/wufang-kiosk/wufang/kiosk/session"
)

// version is the one every wufang binary reports (internal/version says how
// the build stamps it).
var version = wversion.String()

const usage = `wufang-kiosk — the wufang touchscreen exhibit (visit UI, sensors and edge hub)

Usage:
  wufang-kiosk [--config PATH] [--windowed] [--sim]   run the kiosk
  wufang-kiosk hash-pin                               make an admin PIN hash for the config
  wufang-kiosk render PACK --size 800x480 --lang zh-CN --out DIR
                                                      draw every screen of a pack to PNG files
                                                      (runs wufang-render)
  wufang-kiosk session start|rotate|touch-rule [--config PATH]
                                                      the screen session of a board (below)
  wufang-kiosk --version

Options:
  --config PATH   config file (default /etc/wufang/wufang.yaml; without it every
                  key has its default: built-in pack, simulated sensors where
                  there is no GPIO, uplink off)
  --windowed      run in a window instead of full screen (development)
  --sim           simulate the sensors; the keyboard drives them:
                    P  someone walks up (presence)   E / X  a visitor walks in / out
                    A B C D  answer buttons          Enter  OK     Backspace  back
  --log-level L   debug, info (default), warn or error; debug logs every
                  screen change
  --version       print the version

The screen session (wufang-kiosk.service; kiosk.rotate turns the screen and the touch):
` + session.Usage + `
Exit status: 0 after "exit to the desktop", 75 after "restart the app" (the
session script or systemd starts it again), 1 on a start-up error (the message
says what to fix), 2 on a usage error.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const prog = "wufang-kiosk"

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "help": // "help render" is "render --help"
			if len(args) > 1 {
				return run([]string{args[1], "--help"}, stdin, stdout, stderr)
			}
			fmt.Fprint(stdout, usage)
			return 0
		case "hash-pin":
			if len(args) == 2 && (args[1] == "-h" || args[1] == "--help") {
				fmt.Fprint(stdout, "Usage: wufang-kiosk hash-pin\n\nAsks for a new admin PIN twice (not echoed at a terminal; two lines on a pipe)\nand prints its hash for kiosk.admin_pin_hash in the config.\n")
				return 0
			}
			if len(args) > 1 {
				return cmdline.Exit(prog, cmdline.Usagef("hash-pin takes no arguments: it asks for the PIN"), stderr)
			}
			isTTY := false
			if f, ok := stdin.(*os.File); ok {
				isTTY = term.IsTerminal(int(f.Fd()))
			}
			return admin.HashPINCommand(stdin, stdout, stderr, isTTY)
		case "render":
			return renderCommand(args[1:], stdout, stderr)
		case "session":
			return session.Command(args[1:], stdout, stderr)
		}
	}
	fl := flag.NewFlagSet("wufang-kiosk", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	cfgPath := fl.String("config", config.DefaultPath, "")
	windowed := fl.Bool("windowed", false, "")
	simulate := fl.Bool("sim", false, "")
	showVersion := fl.Bool("version", false, "")
	logLevel := fl.String("log-level", "info", "")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return cmdline.Exit(prog, cmdline.Usagef("%v", err), stderr)
	}
	if fl.NArg() > 0 {
		return cmdline.Exit(prog, cmdline.Usagef("unknown command %q; the commands are hash-pin, render and session, or none to run the kiosk", fl.Arg(0)), stderr)
	}
	if *showVersion {
		fmt.Fprintf(stdout, "wufang-kiosk %s\n", version)
		return 0
	}
	var level slog.Level // before the config: a wrong flag is a usage error whatever the config says
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return cmdline.Exit(prog, cmdline.Usagef("--log-level %q: use debug, info, warn or error", *logLevel), stderr)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return cmdline.Exit(prog, cmdline.FileError("config file", err), stderr)
	}
	if *simulate {
		cfg.Sensors.Simulate = true
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k, err := start(ctx, cfg, kioskOptions{Windowed: *windowed, DevKeys: *simulate, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "wufang-kiosk: %v\n", err)
		return 1
	}
	return k.run(ctx)
}

// renderCommand runs wufang-render, beside this binary or on PATH: the
// renderer draws with Fyne's test driver, which the kiosk does not link.
func renderCommand(args []string, stdout, stderr io.Writer) int {
	bin, err := exec.LookPath("wufang-render")
	if self, e := os.Executable(); e == nil {
		if beside := filepath.Join(filepath.Dir(self), "wufang-render"); fileExists(beside) {
			bin, err = beside, nil
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "wufang-kiosk render: drawing screens needs wufang-render, found neither beside wufang-kiosk nor on PATH; install it (go build ./kiosk/cmd/wufang-render), or run it directly")
		return 2
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "wufang-kiosk render: %v\n", err)
		return 2
	}
	return 0
}

func fileExists(name string) bool {
	st, err := os.Stat(name)
	return err == nil && !st.IsDir()
}
