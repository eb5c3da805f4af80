package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotAllowed runs wufang-edge as a user without access (nobody, via
// runuser, when the test runs as root, as CI does): a data_dir it may not
// reach and a config it may not read are each one message naming the path
// and what to do.
func TestNotAllowed(t *testing.T) {
	var prefix []string
	if os.Geteuid() == 0 {
		rp, err := exec.LookPath("runuser")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("runuser (util-linux) is needed to run as nobody")
			}
			t.Skip("runuser (util-linux) not installed")
		}
		prefix = []string{rp, "-u", "nobody", "--"}
	}
	bin := buildBinary(t)
	root := t.TempDir()
	closed := filepath.Join(root, "closed")
	for _, d := range []string{filepath.Dir(bin), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's parent is 0700 too: open the path down to the files.
	for d := filepath.Dir(root); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for d := filepath.Dir(filepath.Dir(bin)); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755)
	}
	cfg := filepath.Join(root, "wufang.yaml")
	secret := filepath.Join(root, "secret.yaml")
	for name, mode := range map[string]os.FileMode{cfg: 0o644, secret: 0o600} {
		if err := os.WriteFile(name, []byte("data_dir: "+closed+"/data\nsensors:\n  simulate: true\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil {
			t.Fatal(err)
		}
	}
	user := "nobody"
	if prefix == nil {
		user = os.Getenv("USER")
	}
	for _, tc := range []struct {
		config, stderr string
	}{
		{cfg, "wufang-edge: the config has errors:\n" + cfg + ":1:11: data_dir: \"" + closed + "/data\" cannot be reached: this user may not look into " + closed + "; run as the user of the service (wufang) or root, or choose another path\n"},
		{secret, "wufang-edge: config file " + secret + ": permission denied for user " + user + "; run the command as a user that may read it (sudo), or fix its permissions\n"},
	} {
		args := append(append(prefix[:len(prefix):len(prefix)], bin), "--config", tc.config, "config", "check")
		cmd := exec.Command(args[0], args[1:]...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 || e.String() != tc.stderr || o.Len() != 0 {
			t.Errorf("%s: %v, stderr %q, stdout %q\nwant exit 1, stderr %q", strings.Join(args, " "), err, e.String(), o.String(), tc.stderr)
		}
	}
}
