package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestValidateManyProblemsGolden(t *testing.T) {
	out, errOut, code := runCmd(t, "validate", "testdata/many-problems")
	if code != exitProblem || errOut != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing on stderr", code, errOut)
	}
	golden(t, "validate-many-problems.golden", out)
}

// fakeKiosk puts a wufang-kiosk on PATH that reports version v (none when
// v is ""), the way install learns which app will show the pack.
func fakeKiosk(t *testing.T, v string) {
	t.Helper()
	bin := t.TempDir()
	if v != "" {
		script := "#!/bin/sh\n[ \"$1\" = --version ] && echo 'wufang-kiosk " + v + "' && exit 0\nexit 2\n"
		if err := os.WriteFile(filepath.Join(bin, "wufang-kiosk"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/bin:/usr/bin")
}

// TestInstallChecksKioskVersion: install checks min_app_version (0.1.0 in
// the skeleton) against the kiosk on this machine, and refuses when it
// cannot tell, rather than skipping the check.
func TestInstallChecksKioskVersion(t *testing.T) {
	dir := t.TempDir()
	pack, v1, data := filepath.Join(dir, "pack"), filepath.Join(dir, "v1.wfpack"), filepath.Join(dir, "data")
	cfg := filepath.Join(dir, "wufang.yaml")
	if err := os.WriteFile(cfg, []byte("content:\n  allow_unsigned: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", pack}, {"build", pack, "--unsigned", "--out", v1}} {
		if out, errOut, code := runCmd(t, args...); code != exitOK {
			t.Fatalf("wufang-pack %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	for _, c := range []struct {
		kiosk string
		args  []string
		code  int
		want  string
	}{
		{"", nil, exitProblem, "the app version on this device is unknown"},
		{"0.0.9", nil, exitProblem, "needs wufang 0.1.0 or later, and this device runs 0.0.9"},
		{"dev", nil, exitProblem, `this device's app version "dev" is not a version`},
		{"", []string{"--app-version", "0.0.9"}, exitProblem, "this device runs 0.0.9"},
		{"0.0.9", []string{"--app-version", "0.1.0+dev"}, exitOK, "Installed my-pack 0.1.0"},
		{"0.1.0+3.g1a2b3c4", nil, exitOK, "Installed my-pack 0.1.0"},
	} {
		fakeKiosk(t, c.kiosk)
		args := append([]string{"install", v1, "--data-dir", data, "--config", cfg, "--allow-downgrade"}, c.args...)
		out, errOut, code := runCmd(t, args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("kiosk %q, %v: exit %d\n%s%s\nwant exit %d and %q", c.kiosk, c.args, code, out, errOut, c.code, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "Usage:"},
		{[]string{"--help"}, exitOK, "wufang-pack validate PATH"},
		{[]string{"--version"}, exitOK, "wufang-pack " + version + " (pack format wufang-pack/1)"},
		{[]string{"frobnicate"}, exitUsage, `"frobnicate" is not a command`},
		{[]string{"validate"}, exitUsage, "missing PATH"},
		{[]string{"validate", "a", "b"}, exitUsage, "too many arguments"},
		{[]string{"validate", "--nope", "x"}, exitUsage, "flag provided but not defined: -nope"},
		{[]string{"validate", "--help"}, exitOK, "-strict"},
		{[]string{"keygen"}, exitUsage, "--out FILE is required"},
		{[]string{"build", "x"}, exitUsage, "--key FILE is required"},
		{[]string{"render", "x"}, exitUsage, "needs wufang-kiosk"},
	} {
		out, errOut, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("wufang-pack %s: exit %d, output %q; want exit %d and %q", strings.Join(c.args, " "), code, out+errOut, c.code, c.want)
		}
	}
}

// TestWorkflow runs what staff do: init, validate, keygen, build, verify,
// install, a second version, a refused downgrade, rollback.
func TestWorkflow(t *testing.T) {
	dir := t.TempDir()
	fakeKiosk(t, "0.1.0")
	pack := filepath.Join(dir, "pack")
	key := filepath.Join(dir, "team.key")
	data := filepath.Join(dir, "data")
	must := func(want int, args ...string) string {
		t.Helper()
		out, errOut, code := runCmd(t, args...)
		if code != want {
			t.Fatalf("wufang-pack %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out + errOut
	}
	must(exitOK, "init", pack)
	if out := must(exitProblem, "init", pack); !strings.Contains(out, "already exists") {
		t.Errorf("init over a pack: %s", out)
	}
	if out := must(exitOK, "validate", pack); !strings.Contains(out, "pack my-pack 0.1.0 is valid (1 module, 5 steps)") {
		t.Errorf("validate skeleton: %s", out)
	}
	out := must(exitOK, "keygen", "--out", key, "--name", "Centre team")
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	var keyLine string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "ed25519:") {
			keyLine = l
		}
	}
	if !strings.HasSuffix(keyLine, " Centre team") {
		t.Fatalf("keygen printed no key line:\n%s", out)
	}
	if out := must(exitProblem, "keygen", "--out", key); !strings.Contains(out, "never overwrites") {
		t.Errorf("keygen over a key: %s", out)
	}
	cfg := filepath.Join(dir, "wufang.yaml")
	if err := os.WriteFile(cfg, []byte("content:\n  trusted_keys:\n    - \""+keyLine+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Join(dir, "v1.wfpack")
	must(exitOK, "build", pack, "--key", key, "--out", v1)
	if out := must(exitOK, "verify", v1, "--key-line", keyLine); !strings.Contains(out, "signed by Centre team") {
		t.Errorf("verify: %s", out)
	}
	must(exitOK, "verify", v1, "--config", cfg)
	if out := must(exitOK, "info", v1); !strings.Contains(out, "1 lesson, 1 choice, 1 order, 1 hotspot, 1 scenario") {
		t.Errorf("info: %s", out)
	}
	if out := must(exitOK, "install", v1, "--data-dir", data, "--config", cfg); !strings.Contains(out, "Installed my-pack 0.1.0") {
		t.Errorf("install: %s", out)
	}

	// A second version, built unsigned then signed.
	pj := filepath.Join(pack, "pack.yaml")
	b, _ := os.ReadFile(pj)
	os.WriteFile(pj, bytes.Replace(b, []byte("version: 0.1.0 "), []byte("version: 0.2.0 "), 1), 0o644)
	v2 := filepath.Join(dir, "v2.wfpack")
	must(exitOK, "build", pack, "--unsigned", "--out", v2)
	if out := must(exitProblem, "install", v2, "--data-dir", data, "--config", cfg); !strings.Contains(out, "not signed") {
		t.Errorf("unsigned install: %s", out)
	}
	must(exitOK, "sign", v2, "--key", key)
	if out := must(exitOK, "install", v2, "--data-dir", data, "--config", cfg); !strings.Contains(out, "previous pack, my-pack 0.1.0, is kept") {
		t.Errorf("install v2: %s", out)
	}
	if out := must(exitProblem, "install", v1, "--data-dir", data, "--config", cfg); !strings.Contains(out, "older than the active 0.2.0") {
		t.Errorf("downgrade: %s", out)
	}
	if out := must(exitOK, "info", "--data-dir", data); !strings.Contains(out, "active:     my-pack 0.2.0, signed by Centre team") {
		t.Errorf("info --data-dir: %s", out)
	}
	if out := must(exitOK, "rollback", "--data-dir", data, "--config", cfg); !strings.Contains(out, "my-pack 0.1.0 is active again") {
		t.Errorf("rollback: %s", out)
	}
	must(exitOK, "install", v1, "--data-dir", data, "--config", cfg, "--allow-downgrade")

	// A broken pack: validate and build report the problem, exit 1.
	os.WriteFile(filepath.Join(pack, "modules", "fire.yaml"), []byte("id: fire\npass_mark: 1\n"), 0o644)
	if out := must(exitProblem, "validate", pack); !strings.Contains(out, filepath.Join(pack, "modules", "fire.yaml")+":2:1: error: pass_mark: is not a known key") {
		t.Errorf("validate broken: %s", out)
	}
	if out := must(exitProblem, "build", pack, "--key", key); !strings.Contains(out, "fix them and build again") {
		t.Errorf("build broken: %s", out)
	}
	// A file that is not a pack.
	if out := must(exitProblem, "validate", cfg); !strings.Contains(out, "not a .wfpack") {
		t.Errorf("validate non-pack: %s", out)
	}
}

// TestValidateCorpus: validate names the refusal of each hostile pack, with
// the pack's path, and exits 1.
func TestValidateCorpus(t *testing.T) {
	for name, want := range map[string]string{
		"slip-dotdot":     `slip-dotdot.wfpack: error: unsafe path: "../evil.yaml" climbs out of the pack folder`,
		"image-bomb":      `image-bomb.wfpack: error: image too large: "media/bomb.png" declares a picture of 100000×100000 pixels`,
		"yaml-alias-bomb": `yaml-alias-bomb.wfpack/pack.yaml:24:10: error: uses a YAML alias (*a0)`,
	} {
		out, _, code := runCmd(t, "validate", filepath.Join("..", "..", "testdata", "corpus", name+".wfpack"))
		if code != exitProblem || !strings.Contains(out, want) {
			t.Errorf("validate %s: exit %d\n%s\nwant %q", name, code, out, want)
		}
	}
}

// TestWrongInputs: each mistake staff make gets one line that names the
// file or argument and says what to do, with the exit code of the
// convention (cli QA).
func TestWrongInputs(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"--bogus"}, exitUsage, "", "wufang-pack: --bogus is not an option here; options come after the command (wufang-pack COMMAND --help lists them)\n"},
		{[]string{"help", "nonsense"}, exitUsage, "", "wufang-pack: \"nonsense\" is not a command; run wufang-pack --help to see the commands\n"},
		{[]string{"build"}, exitUsage, "", "wufang-pack build: missing DIR; usage: wufang-pack build DIR --key FILE [--out X.wfpack]\n"},
		{[]string{"install"}, exitUsage, "", "wufang-pack install: missing X.wfpack; usage: wufang-pack install X.wfpack [--data-dir DIR] [--config FILE] [--allow-downgrade] [--app-version V]\n"},
		{[]string{"validate", missing}, exitProblem, missing + ": error: the pack " + missing + " does not exist; check the path\n", ""},
		{[]string{"info", missing}, exitProblem, "", "wufang-pack info: pack " + missing + " does not exist; check the path\n"},
		{[]string{"info", "--data-dir", missing}, exitProblem, "", "wufang-pack info: the data folder " + missing + " does not exist; give the kiosk's data_dir (/var/lib/wufang by default)\n"},
		{[]string{"build", dir, "--key", missing}, exitProblem, "", "wufang-pack build: key file " + missing + " does not exist; check the path\n"},
		{[]string{"sign", "x.wfpack", "--key", dir}, exitProblem, "", "wufang-pack sign: key file " + dir + " is a folder; give the path of the file\n"},
		{[]string{"keygen", "--out", missing + "/k"}, exitProblem, "", "wufang-pack keygen: cannot write the key to " + missing + "/k: no such file or directory; choose a folder that exists and you may write to\n"},
		{[]string{"init", filepath.Join(dir, "validate.golden", "x")}, exitProblem, "", ""}, // filled in below
		{[]string{"verify", "x.wfpack", "--config", missing}, exitProblem, "", "wufang-pack verify: config file " + missing + " does not exist; check the path\n"},
		{[]string{"install", missing, "--data-dir", data, "--app-version", "1.0.0"}, exitProblem, "", "wufang-pack install: pack " + missing + " does not exist; check the path (nothing was installed)\n"},
		{[]string{"rollback", "--data-dir", data, "--app-version", "1.0.0", "--config", missing}, exitProblem, "", "wufang-pack rollback: config file " + missing + " does not exist; check the path\n"},
	} {
		if c.args[0] == "init" { // a file where a folder must be made
			file := filepath.Join(dir, "validate.golden")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			c.stderr = "wufang-pack init: cannot make the pack folder " + c.args[1] + ": not a directory; choose a folder you may write to\n"
		}
		out, errOut, code := runCmd(t, c.args...)
		if code != c.code || out != c.stdout || errOut != c.stderr {
			t.Errorf("wufang-pack %s: exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.stdout, c.stderr)
		}
	}
	// help CMD is CMD --help.
	if out, errOut, code := runCmd(t, "help", "build"); code != exitOK || errOut != "" || !strings.HasPrefix(out, "Usage: wufang-pack build DIR") {
		t.Errorf("help build: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestRollbackSaysItOnce: "rollback: rollback: no previous pack" named the
// command twice.
func TestRollbackSaysItOnce(t *testing.T) {
	data := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "wufang.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+data+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmd(t, "rollback", "--config", cfg, "--app-version", "1.0.0")
	if want := "wufang-pack rollback: no previous pack: there is no earlier pack to go back to\n"; code != exitProblem || errOut != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, errOut, want)
	}
}
