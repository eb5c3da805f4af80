package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderRunsWufangRender: `wufang-kiosk render` runs wufang-render
// (the kiosk does not link the renderer's Fyne test driver) with its
// arguments, output and exit status, and says what to install without it.
func TestRenderRunsWufangRender(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "wufang-render"), "../wufang-render").CombinedOutput(); err != nil {
		t.Fatalf("build wufang-render: %v\n%s", err, out)
	}
	t.Setenv("PATH", dir)
	pack := filepath.Join("..", "..", "ui", "testdata", "pack")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"render", pack, "--lang", "en", "--out", t.TempDir()}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "everything fits") {
		t.Errorf("stdout: %s", stdout.String())
	}
	if code := run([]string{"render"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("render without a pack: exit %d, want wufang-render's 2", code)
	}
	stdout.Reset()
	if code := run([]string{"help", "render"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "usage: render PACK") {
		t.Errorf("help render: exit %d, stdout %q; want 0 and wufang-render's usage", code, stdout.String())
	}

	t.Setenv("PATH", t.TempDir())
	stderr.Reset()
	if code := run([]string{"render", pack}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "needs wufang-render") {
		t.Errorf("without wufang-render: exit %d, %q", code, stderr.String())
	}
}
