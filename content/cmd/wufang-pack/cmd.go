package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
)

//go:embed skeleton
var skeleton embed.FS

// Exit codes.
const (
	exitOK      = 0
	exitProblem = 1
	exitUsage   = 2
)

type command struct {
	name, args, help string
	run              func(c *cli, args []string) int
}

var commands = []command{
	{"init", "DIR", "make a new pack folder with one example of every step type", (*cli).initPack},
	{"validate", "PATH [--strict]", "check a pack folder or .wfpack and list every problem", (*cli).validate},
	{"keygen", "--out FILE [--name NAME]", "make a signing key; prints the public key line for the config", (*cli).keygen},
	{"build", "DIR --key FILE [--out X.wfpack] [--unsigned]", "validate a pack folder and pack it, with checksums and signature", (*cli).build},
	{"sign", "X.wfpack --key FILE [--out Y.wfpack]", "sign a .wfpack again (checksums are checked first)", (*cli).sign},
	{"verify", "X.wfpack (--key-line LINE | --config FILE)", "check a .wfpack's signature and checksums against trusted keys", (*cli).verify},
	{"info", "PATH | --data-dir DIR", "show what a pack holds, or which pack is installed", (*cli).info},
	{"install", "X.wfpack [--data-dir DIR] [--config FILE] [--allow-downgrade] [--app-version V]", "install a .wfpack the way the kiosk does (checks min_app_version against wufang-kiosk --version)", (*cli).install},
	{"rollback", "[--data-dir DIR] [--config FILE]", "go back to the previously installed pack", (*cli).rollback},
	{"render", "PACK --size WxH --lang L --out DIR", "draw every screen to PNG files with the kiosk's real screens (runs wufang-kiosk render)", (*cli).render},
}

type cli struct {
	out, err io.Writer
	ctx      context.Context
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cli{out: stdout, err: stderr, ctx: ctx}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help":
		if len(args) > 1 { // "help build" is "build --help"
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		c.usage(stdout)
		return exitOK
	case "-h", "-help", "--help":
		c.usage(stdout)
		return exitOK
	case "-version", "--version", "version":
		fmt.Fprintf(stdout, "wufang-pack %s (pack format %s)\n", version, content.Format)
		return exitOK
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(c, args[1:])
		}
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "wufang-pack: %s is not an option here; options come after the command (wufang-pack COMMAND --help lists them)\n", args[0])
		return exitUsage
	}
	fmt.Fprintf(stderr, "wufang-pack: %q is not a command; run wufang-pack --help to see the commands\n", args[0])
	return exitUsage
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "wufang-pack %s: make, check, sign and install wufang content packs (%s)\n\nUsage:\n", version, content.Format)
	for _, cmd := range commands {
		fmt.Fprintf(w, "  wufang-pack %s %s\n      %s\n", cmd.name, cmd.args, cmd.help)
	}
	fmt.Fprint(w, "\nRun wufang-pack COMMAND --help for a command's options.\nExit status: 0 done, 1 problems found or pack refused, 2 wrong command line.\n")
}

// parse parses flags that may come before or after the positional
// arguments (wufang-pack build DIR --key k). It prints the problem and
// returns ok false on a usage error; help is answered with exitOK.
func (c *cli) parse(fset *flag.FlagSet, args []string, npos int, posName string) (pos []string, code int, ok bool) {
	fset.SetOutput(io.Discard)
	for {
		err := fset.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fset.SetOutput(c.out)
			fmt.Fprintf(c.out, "Usage: wufang-pack %s %s\n", fset.Name(), posName)
			fset.PrintDefaults()
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(c.err, "wufang-pack %s: %v; run wufang-pack %s --help\n", fset.Name(), err, fset.Name())
			return nil, exitUsage, false
		}
		rest := fset.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if npos >= 0 && len(pos) != npos {
		if len(pos) < npos {
			fmt.Fprintf(c.err, "wufang-pack %s: missing %s; usage: wufang-pack %s %s\n", fset.Name(), strings.Fields(posName)[len(pos)], fset.Name(), posName)
		} else {
			fmt.Fprintf(c.err, "wufang-pack %s: too many arguments (%s); usage: wufang-pack %s %s\n", fset.Name(), strings.Join(pos, " "), fset.Name(), posName)
		}
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

func (c *cli) fail(cmd, format string, args ...any) int {
	fmt.Fprintf(c.err, "wufang-pack %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitProblem
}

func (c *cli) initPack(args []string) int {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	pos, code, ok := c.parse(fset, args, 1, "DIR")
	if !ok {
		return code
	}
	dir := pos[0]
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return c.fail("init", "%s already exists and is not empty; choose a new folder name", dir)
	}
	sub, _ := fs.Sub(skeleton, "skeleton")
	err := fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return c.fail("init", "cannot make the pack folder %s: %v; choose a folder you may write to", dir, pathErr(err))
	}
	fmt.Fprintf(c.out, "Made a new pack in %s with one step of every type.\nEdit pack.yaml and modules/fire.yaml, then check it with: wufang-pack validate %s\n", dir, dir)
	return exitOK
}

// openPath opens a pack folder or a .wfpack (read into memory, hardened).
func openPath(p string) (fs.FS, *content.Wfpack, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return os.DirFS(p), nil, nil
	}
	w, err := content.OpenWfpack(p)
	if err != nil {
		return nil, nil, err
	}
	return w.FS, w, nil
}

// printProblems prints problems compiler-style; paths inside the pack are
// joined to the folder (or .wfpack) so editors can jump to them.
func (c *cli) printProblems(w io.Writer, dir string, probs content.Problems) {
	for _, p := range probs {
		if dir != "" {
			p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		}
		fmt.Fprintln(w, p)
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (c *cli) validate(args []string) int {
	fset := flag.NewFlagSet("validate", flag.ContinueOnError)
	strict := fset.Bool("strict", false, "also fail (exit 1) on warnings")
	pos, code, ok := c.parse(fset, args, 1, "PATH")
	if !ok {
		return code
	}
	if _, err := os.Stat(pos[0]); err != nil {
		fmt.Fprintf(c.out, "%s: error: %v\n", pos[0], cmdline.FileError("the pack", err))
		return exitProblem
	}
	fsys, _, err := openPath(pos[0])
	if err != nil {
		fmt.Fprintf(c.out, "%s: error: %v\n", pos[0], err)
		return exitProblem
	}
	// Files inside a .wfpack are named X.wfpack/pack.yaml, like a folder's.
	p, probs := content.Check(fsys)
	c.printProblems(c.out, pos[0], probs)
	nerr, nwarn := len(probs.Errors()), len(probs.Warnings())
	switch {
	case nerr > 0:
		fmt.Fprintf(c.out, "%s: %s, %s; fix the errors, then run wufang-pack validate again\n", pos[0], count(nerr, "error", "errors"), count(nwarn, "warning", "warnings"))
		return exitProblem
	case nwarn > 0:
		fmt.Fprintf(c.out, "%s: no errors, %s; the pack can be installed, but fix the warnings so every screen fits\n", pos[0], count(nwarn, "warning", "warnings"))
		if *strict {
			return exitProblem
		}
		return exitOK
	}
	fmt.Fprintf(c.out, "%s: pack %s %s is valid (%s, %s)\n", pos[0], p.ID, p.Version, count(len(p.Mods), "module", "modules"), count(steps(p), "step", "steps"))
	return exitOK
}

func steps(p *content.Pack) int {
	n := 0
	for _, m := range p.Mods {
		n += len(m.Steps)
	}
	return n
}

func (c *cli) keygen(args []string) int {
	fset := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fset.String("out", "", "file to write the private key to (made with mode 0600; must not exist)")
	name := fset.String("name", "", "a name for the key, shown when a pack signed with it is installed")
	_, code, ok := c.parse(fset, args, 0, "--out FILE [--name NAME]")
	if !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintln(c.err, "wufang-pack keygen: --out FILE is required: where to keep the private key")
		return exitUsage
	}
	key, err := content.GenerateKey(rand.Reader, *name)
	if err != nil {
		return c.fail("keygen", "%v", err)
	}
	data, _ := key.MarshalText()
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return c.fail("keygen", "%s already exists; keygen never overwrites a key, choose another file name", *out)
		}
		return c.fail("keygen", "cannot write the key to %s: %v; choose a folder that exists and you may write to", *out, pathErr(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return c.fail("keygen", "%v", err)
	}
	if err := f.Close(); err != nil {
		return c.fail("keygen", "%v", err)
	}
	pub := key.Public()
	fmt.Fprintf(c.out, "Wrote the private key to %s (key id %s). Keep it secret.\nAdd this line to content.trusted_keys in each kiosk's config:\n\n%s\n", *out, pub.ID(), pub.Line())
	return exitOK
}

func readKey(file string) (content.PrivateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return content.PrivateKey{}, cmdline.FileError("key file", err)
	}
	k, err := content.ParsePrivateKey(data)
	if err != nil {
		return k, fmt.Errorf("%s: %w", file, err)
	}
	return k, nil
}

// writeAtomic writes a file so that a failed write never leaves half a pack
// under the final name.
func writeAtomic(name string, write func(io.Writer) error) error {
	return atomicfile.Write(name, 0o644, write)
}

func (c *cli) build(args []string) int {
	fset := flag.NewFlagSet("build", flag.ContinueOnError)
	keyFile := fset.String("key", "", "private key file made by wufang-pack keygen")
	out := fset.String("out", "", "the .wfpack to write (default: <id>-<version>.wfpack)")
	unsigned := fset.Bool("unsigned", false, "build without a signature (kiosks refuse it unless content.allow_unsigned is true)")
	pos, code, ok := c.parse(fset, args, 1, "DIR --key FILE [--out X.wfpack]")
	if !ok {
		return code
	}
	if *keyFile == "" && !*unsigned {
		fmt.Fprintln(c.err, "wufang-pack build: --key FILE is required (a key from wufang-pack keygen); use --unsigned only for testing")
		return exitUsage
	}
	var key *content.PrivateKey
	if *keyFile != "" {
		k, err := readKey(*keyFile)
		if err != nil {
			return c.fail("build", "%v", err)
		}
		key = &k
	}
	dir := pos[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return c.fail("build", "%s is not a pack folder; give the folder that holds pack.yaml", dir)
	}
	fsys := os.DirFS(dir)
	p, probs := content.Check(fsys)
	c.printProblems(c.out, dir, probs)
	if n := len(probs.Errors()); n > 0 {
		return c.fail("build", "%s has %s; fix them and build again", dir, count(n, "error", "errors"))
	}
	files, skipped, err := content.PackFiles(fsys)
	if err != nil {
		return c.fail("build", "%v", err)
	}
	for _, s := range skipped {
		fmt.Fprintf(c.out, "%s: left out (not a .yaml, .png, .jpg or .svg file)\n", filepath.Join(dir, s))
	}
	if *out == "" {
		*out = p.ID + "-" + p.Version + content.Extension
	}
	if err := writeAtomic(*out, func(w io.Writer) error { return content.WriteWfpack(w, fsys, files, key) }); err != nil {
		return c.fail("build", "%v", err)
	}
	signer := "unsigned"
	if key != nil {
		signer = "signed with key " + key.Public().ID()
	}
	fmt.Fprintf(c.out, "Wrote %s: pack %s %s, %s, %s\n", *out, p.ID, p.Version, count(len(files), "file", "files"), signer)
	return exitOK
}

func (c *cli) sign(args []string) int {
	fset := flag.NewFlagSet("sign", flag.ContinueOnError)
	keyFile := fset.String("key", "", "private key file made by wufang-pack keygen")
	out := fset.String("out", "", "where to write the signed pack (default: replace the input)")
	pos, code, ok := c.parse(fset, args, 1, "X.wfpack --key FILE")
	if !ok {
		return code
	}
	if *keyFile == "" {
		fmt.Fprintln(c.err, "wufang-pack sign: --key FILE is required (a key from wufang-pack keygen)")
		return exitUsage
	}
	key, err := readKey(*keyFile)
	if err != nil {
		return c.fail("sign", "%v", err)
	}
	w, err := content.OpenWfpack(pos[0])
	if err != nil {
		return c.fail("sign", "%s: %v", pos[0], err)
	}
	if *out == "" {
		*out = pos[0]
	}
	if err := writeAtomic(*out, func(wr io.Writer) error { return w.Resign(wr, key) }); err != nil {
		return c.fail("sign", "%s: %v", pos[0], err)
	}
	fmt.Fprintf(c.out, "Signed %s with key %s\n", *out, key.Public().ID())
	return exitOK
}

type lines []string

func (l *lines) String() string     { return strings.Join(*l, ", ") }
func (l *lines) Set(s string) error { *l = append(*l, s); return nil }

// trusted returns the trusted keys from --key-line flags or the config.
func trusted(keyLines []string, cfgPath string) ([]content.PublicKey, *config.Config, error) {
	var cfg *config.Config
	if cfgPath != "" || len(keyLines) == 0 {
		if cfgPath == "" {
			cfgPath = config.DefaultPath
		}
		var err error
		cfg, err = config.Load(cfgPath)
		if err != nil {
			return nil, nil, cmdline.FileError("config file", err)
		}
		keyLines = append(keyLines, cfg.Content.TrustedKeys...)
	}
	keys, err := content.ParsePublicKeys(keyLines)
	return keys, cfg, err
}

func (c *cli) verify(args []string) int {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	var keyLines lines
	fset.Var(&keyLines, "key-line", "a trusted public key line (ed25519:…); may be repeated")
	cfgPath := fset.String("config", "", "take trusted keys from this config's content.trusted_keys (default "+config.DefaultPath+" when no --key-line)")
	pos, code, ok := c.parse(fset, args, 1, "X.wfpack (--key-line LINE | --config FILE)")
	if !ok {
		return code
	}
	keys, _, err := trusted(keyLines, *cfgPath)
	if err != nil {
		return c.fail("verify", "%v", err)
	}
	if len(keys) == 0 {
		return c.fail("verify", "no trusted keys: give --key-line with the signer's public key line, or a --config with content.trusted_keys")
	}
	w, err := content.OpenWfpack(pos[0])
	if err != nil {
		return c.fail("verify", "%s: %v", pos[0], err)
	}
	signer, err := w.Verify(keys, false)
	if err != nil {
		return c.fail("verify", "%s: %v", pos[0], err)
	}
	fmt.Fprintf(c.out, "%s: signature good, signed by %s; all %s match SHA256SUMS\n", pos[0], signer, count(len(w.Files), "file", "files"))
	return exitOK
}

func (c *cli) info(args []string) int {
	fset := flag.NewFlagSet("info", flag.ContinueOnError)
	dataDir := fset.String("data-dir", "", "show the packs installed in this data folder instead")
	pos, code, ok := c.parse(fset, args, -1, "PATH | --data-dir DIR")
	if !ok {
		return code
	}
	if *dataDir != "" && len(pos) == 0 {
		if st, err := os.Stat(*dataDir); err != nil || !st.IsDir() {
			return c.fail("info", "the data folder %s does not exist; give the kiosk's data_dir (%s by default)", *dataDir, config.Default().DataDir)
		}
		return c.installed(*dataDir)
	}
	if len(pos) != 1 {
		fmt.Fprintln(c.err, "wufang-pack info: give one pack folder or .wfpack, or --data-dir DIR")
		return exitUsage
	}
	if _, err := os.Stat(pos[0]); err != nil {
		return c.fail("info", "%v", cmdline.FileError("pack", err))
	}
	fsys, w, err := openPath(pos[0])
	if err != nil {
		return c.fail("info", "%s: %v", pos[0], err)
	}
	p, err := content.Load(fsys)
	if err != nil {
		return c.fail("info", "%s cannot be read:\n%v", pos[0], err)
	}
	c.describe(p)
	if w != nil {
		sig := "unsigned"
		if w.Sig != nil {
			if f := strings.Fields(string(w.Sig)); len(f) == 3 {
				sig = "signed with key " + f[1] + " (not checked; use wufang-pack verify)"
			}
		}
		fmt.Fprintf(c.out, "files:      %d\nsignature:  %s\n", len(w.Files), sig)
	}
	return exitOK
}

func (c *cli) describe(p *content.Pack) {
	def := ""
	if len(p.Languages) > 0 {
		def = p.Languages[0]
	}
	fmt.Fprintf(c.out, "pack:       %s %s\ntitle:      %s\nlanguages:  %s\n", p.ID, p.Version, p.Title[def], strings.Join(p.Languages, ", "))
	if p.MinAppVersion != "" {
		fmt.Fprintf(c.out, "needs app:  %s or later\n", p.MinAppVersion)
	}
	for _, m := range p.Mods {
		kinds := map[string]int{}
		for _, s := range m.Steps {
			kinds[s.Type]++
		}
		var parts []string
		for _, k := range []string{content.Lesson, content.Choice, content.Order, content.Hotspot, content.Scenario} {
			if kinds[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
			}
		}
		fmt.Fprintf(c.out, "module:     %-10s %s (%s)\n", m.ID, m.Title[def], strings.Join(parts, ", "))
	}
	fmt.Fprintf(c.out, "attract:    %s\n", count(len(p.Attract), "slide", "slides"))
}

func installer(dataDir, cfgPath, appVersion string) (*content.Installer, error) {
	if cfgPath == "" {
		cfgPath = config.DefaultPath
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, cmdline.FileError("config file", err)
	}
	if dataDir == "" {
		dataDir = cfg.DataDir
	}
	return &content.Installer{
		Dir:           content.DefaultDir(dataDir),
		TrustedKeys:   cfg.Content.TrustedKeys,
		AllowUnsigned: cfg.Content.AllowUnsigned,
		AppVersion:    appVersion,
	}, nil
}

func (c *cli) installed(dataDir string) int {
	in := &content.Installer{Dir: content.DefaultDir(dataDir)}
	_, p, info, err := in.Active()
	switch {
	case errors.Is(err, content.ErrNoPack):
		fmt.Fprintf(c.out, "No pack is installed in %s; the kiosk shows its built-in pack.\n", dataDir)
		return exitOK
	case err != nil:
		return c.fail("info", "the active pack cannot be used (%v); the kiosk falls back to its built-in pack, install a pack or roll back", err)
	}
	fmt.Fprintf(c.out, "active:     %s %s, signed by %s, installed %s\n", info.ID, info.Version, info.Signer, info.Installed.Format("2006-01-02 15:04 MST"))
	if prev, err := in.Previous(); err == nil {
		fmt.Fprintf(c.out, "previous:   %s %s (wufang-pack rollback goes back to it)\n", prev.ID, prev.Version)
	}
	c.describe(p)
	return exitOK
}

func (c *cli) install(args []string) int {
	fset := flag.NewFlagSet("install", flag.ContinueOnError)
	dataDir := fset.String("data-dir", "", "the kiosk's data folder; packs go in DIR/content (default: data_dir of the config)")
	cfgPath := fset.String("config", "", "config with content.trusted_keys and allow_unsigned (default "+config.DefaultPath+")")
	downgrade := fset.Bool("allow-downgrade", false, "install even if it is an older version of the active pack")
	appVersion := fset.String("app-version", "", "the version of the kiosk on the board the data folder belongs to (default: what wufang-kiosk --version says here)")
	pos, code, ok := c.parse(fset, args, 1, "X.wfpack [--data-dir DIR] [--config FILE] [--allow-downgrade] [--app-version V]")
	if !ok {
		return code
	}
	if _, err := os.Stat(pos[0]); err != nil {
		return c.fail("install", "%v (nothing was installed)", cmdline.FileError("pack", err))
	}
	in, err := installer(*dataDir, *cfgPath, c.kioskVersion(*appVersion))
	if err != nil {
		return c.fail("install", "%v", err)
	}
	res, err := in.Install(c.ctx, pos[0], content.InstallOptions{AllowDowngrade: *downgrade})
	if err != nil {
		if errors.Is(err, content.ErrInvalid) {
			c.printProblems(c.out, pos[0], res.Problems)
		}
		return c.fail("install", "%s was not installed, the active pack is unchanged: %v", pos[0], err)
	}
	c.printProblems(c.out, pos[0], res.Problems)
	fmt.Fprintf(c.out, "Installed %s %s (signed by %s).\n", res.Installed.ID, res.Installed.Version, res.Installed.Signer)
	if res.Previous != nil {
		fmt.Fprintf(c.out, "The previous pack, %s %s, is kept: wufang-pack rollback goes back to it.\n", res.Previous.ID, res.Previous.Version)
	}
	return exitOK
}

func (c *cli) rollback(args []string) int {
	fset := flag.NewFlagSet("rollback", flag.ContinueOnError)
	dataDir := fset.String("data-dir", "", "the kiosk's data folder; packs go in DIR/content (default: data_dir of the config)")
	cfgPath := fset.String("config", "", "config file (default "+config.DefaultPath+")")
	appVersion := fset.String("app-version", "", "the version of the kiosk on the board the data folder belongs to (default: what wufang-kiosk --version says here)")
	_, code, ok := c.parse(fset, args, 0, "[--data-dir DIR] [--app-version V]")
	if !ok {
		return code
	}
	in, err := installer(*dataDir, *cfgPath, c.kioskVersion(*appVersion))
	if err != nil {
		return c.fail("rollback", "%v", err)
	}
	info, err := in.Rollback(c.ctx)
	if err != nil {
		return c.fail("rollback", "%s", strings.TrimPrefix(err.Error(), "rollback: "))
	}
	fmt.Fprintf(c.out, "Rolled back: %s %s is active again.\n", info.ID, info.Version)
	return exitOK
}

// render draws a pack's screens with the kiosk's own screen code. That code
// needs Fyne, which this pure-Go tool must not link (it cross-compiles
// without a C toolchain), so render runs `wufang-kiosk render`: the kiosk
// binary next to this one, or on PATH.
func (c *cli) render(args []string) int {
	kiosk, err := findKiosk()
	if err != nil {
		fmt.Fprintf(c.err, "wufang-pack render: drawing screens needs wufang-kiosk (the kiosk's screens): %v; install it, or run `wufang-kiosk render` directly\n", err)
		return exitUsage
	}
	cmd := exec.CommandContext(c.ctx, kiosk, append([]string{"render"}, args...)...)
	cmd.Stdout, cmd.Stderr = c.out, c.err
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintf(c.err, "wufang-pack render: %v\n", err)
		return exitProblem
	}
	return exitOK
}

// findKiosk finds the wufang-kiosk binary: beside this one, or on PATH.
func findKiosk() (string, error) {
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "wufang-kiosk")
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	if p, err := exec.LookPath("wufang-kiosk"); err == nil {
		return p, nil
	}
	return "", errors.New("wufang-kiosk was found neither beside wufang-pack nor on PATH")
}

// kioskVersion is the version of the kiosk that will show what install puts
// in its data folder: the one given with --app-version, else what
// `wufang-kiosk --version` on this machine says. "" when neither is known,
// which refuses any pack that names a min_app_version.
func (c *cli) kioskVersion(given string) string {
	if given != "" {
		return given
	}
	kiosk, err := findKiosk()
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, kiosk, "--version").Output()
	if err != nil {
		fmt.Fprintf(c.err, "wufang-pack: %s --version failed (%v); pass the kiosk's version with --app-version\n", kiosk, err)
		return ""
	}
	// "wufang-kiosk 0.1.0+12.g1a2b3c4"
	if f := strings.Fields(string(out)); len(f) >= 2 && f[0] == "wufang-kiosk" {
		return f[1]
	}
	return ""
}

// pathErr is what went wrong with a file, without Go's "mkdir /x:" before it
// (the message names the file already).
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
