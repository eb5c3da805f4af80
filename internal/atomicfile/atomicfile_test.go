package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "state.json")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v", b, err)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if names := ls(t, dir); !slices.Equal(names, []string{"state.json"}) {
		t.Errorf("folder holds %v", names)
	}
}

func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "pack.wfpack")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := Write(name, 0, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Errorf("file holds %q after a failed write", b)
	}
	if names := ls(t, dir); !slices.Equal(names, []string{"pack.wfpack"}) {
		t.Errorf("folder holds %v: the temporary file was left", names)
	}
}

func TestCrashAtEachStep(t *testing.T) {
	for _, tc := range []struct {
		step, want string
	}{{StepRename, "old"}, {StepSyncDir, "new"}} {
		t.Run(tc.step, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "f")
			if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			crash := errors.New("crash")
			var steps []string
			err := Options{Before: func(s string) error {
				steps = append(steps, s)
				if s == tc.step {
					return crash
				}
				return nil
			}}.WriteFile(name, []byte("new"))
			if !errors.Is(err, crash) {
				t.Fatalf("err %v", err)
			}
			if b, _ := os.ReadFile(name); string(b) != tc.want {
				t.Errorf("file holds %q, want %q", b, tc.want)
			}
			if steps[len(steps)-1] != tc.step {
				t.Errorf("steps %v", steps)
			}
		})
	}
}

func TestMissingFolder(t *testing.T) {
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "f"), nil, 0); err == nil {
		t.Fatal("wrote into a missing folder")
	}
}

func ls(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
