// Package atomicfile replaces a file so that a crash or power cut leaves the
// old contents or the new, never a mix or an empty file: the new contents go
// to a temporary file in the same folder, which is flushed to disk (fsync),
// renamed over the file, and then the folder itself is flushed, so the rename
// survives a power cut too.
//
// The device's small state files use it (the pack state, the admin lockout,
// the last daily total published), and so does wufang-pack for the packs it
// writes.
package atomicfile

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Steps of a write that Options.Before is called with, in order.
const (
	StepRename  = "rename"   // the temporary file is written and flushed
	StepSyncDir = "sync-dir" // the file is renamed; the folder is not yet flushed
)

// Options adjust a write. The zero value writes files with mode 0o600.
type Options struct {
	// Perm is the new file's mode; 0 means 0o600.
	Perm fs.FileMode
	// Before, when set, is called before each step; an error stops the
	// write there, the way a crash would (for tests of what a crash leaves).
	Before func(step string) error
}

// WriteFile writes data to name atomically and durably, with mode perm.
func WriteFile(name string, data []byte, perm fs.FileMode) error {
	return Options{Perm: perm}.WriteFile(name, data)
}

// Write writes what write writes to name atomically and durably, with mode
// perm: for contents streamed rather than held in memory.
func Write(name string, perm fs.FileMode, write func(io.Writer) error) error {
	return Options{Perm: perm}.Write(name, write)
}

// WriteFile writes data to name.
func (o Options) WriteFile(name string, data []byte) error {
	return o.Write(name, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

// Write writes what write writes to name. On an error the file is left as
// it was and the temporary file is removed.
func (o Options) Write(name string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	perm := o.Perm
	if perm == 0 {
		perm = 0o600
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := o.before(StepRename); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	renamed = true
	if err := o.before(StepSyncDir); err != nil {
		return err
	}
	return SyncDir(dir)
}

func (o Options) before(step string) error {
	if o.Before == nil {
		return nil
	}
	return o.Before(step)
}

// SyncDir flushes a folder to disk, so that the files just created,
// renamed or removed in it stay so after a power cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
