// Package studio is the logic of the hub's pack studio (issue 20): a
// content pack kept as the very folder wufang-pack reads (pack.yaml,
// modules/<id>.yaml, media/…), edited by key paths as the validator names
// them (steps[2].options[0].text.en), stored as draft revisions in the
// hub's database, and published as releases whose version only goes up.
//
// There is one validator: every check the studio shows comes from
// content.Check on the draft's folder, exactly as `wufang-pack validate`
// runs it. The web pages are in edge/hub/web (studio*.go).
package studio

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/wufang-kiosk/wufang/content"
)

// Files is a pack folder in memory: each file's path (pack.yaml,
// modules/fire.yaml, media/art/x.svg) and bytes.
type Files map[string][]byte

// FromFS reads a pack folder: the files a .wfpack would hold
// (content.PackFiles), so nothing the format does not carry comes in.
func FromFS(fsys fs.FS) (Files, error) {
	names, _, err := content.PackFiles(fsys)
	if err != nil {
		return nil, err
	}
	out := Files{}
	total := 0
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		total += len(b)
		if len(names) > content.MaxFiles || total > content.MaxUnpacked {
			return nil, fmt.Errorf("the pack is larger than a .wfpack may be (%d files, %d MiB)", content.MaxFiles, content.MaxUnpacked>>20)
		}
		out[n] = b
	}
	return out, nil
}

// FromWfpack reads a .wfpack (signed or not) through the same reader a
// kiosk uses, with all its limits; the signature is not needed to edit it
// (a new release is signed anew).
func FromWfpack(data []byte) (Files, error) {
	w, err := content.ReadWfpack(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	return FromFS(w.FS)
}

// FS is the folder as a file system, for content.Check and the writer.
func (f Files) FS() fs.FS {
	m := fstest.MapFS{}
	for n, b := range f {
		m[n] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// Names are the file paths, sorted.
func (f Files) Names() []string { return slices.Sorted(maps.Keys(f)) }

// Clone copies the map (the byte slices are shared: they are never
// changed in place).
func (f Files) Clone() Files { return maps.Clone(f) }

// ErrUnreadable is a pack whose files the strict loader cannot read: the
// studio edits what it can decode, and says what to fix first.
var ErrUnreadable = errors.New("the pack cannot be read")

// Load decodes the folder strictly (content.Load). A pack that does not
// decode is refused with the loader's problems: its YAML must be fixed
// with wufang-pack first, since saving would lose what could not be read.
func (f Files) Load() (*content.Pack, error) {
	p, err := content.Load(f.FS())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	return p, nil
}

// Check is the validator's verdict on the folder, as wufang-pack validate
// gives it.
func (f Files) Check() (*content.Pack, content.Problems) { return content.Check(f.FS()) }

// Media are the pictures of the folder, sorted.
func (f Files) Media() []string {
	var out []string
	for _, n := range f.Names() {
		switch strings.ToLower(path.Ext(n)) {
		case ".svg", ".png", ".jpg", ".jpeg":
			out = append(out, n)
		}
	}
	return out
}

// Put writes p's YAML files into f: pack.yaml and modules/<id>.yaml for
// every module, replacing what was there (media are left alone). A
// module file no longer listed in p is removed.
func (f Files) Put(p *content.Pack) error {
	b, err := Marshal(p, p)
	if err != nil {
		return err
	}
	f["pack.yaml"] = b
	keep := map[string]bool{}
	for _, m := range p.Mods {
		b, err := Marshal(p, m)
		if err != nil {
			return err
		}
		name := content.ModuleFile(m.ID)
		f[name] = b
		keep[name] = true
	}
	for n := range f {
		if strings.HasPrefix(n, "modules/") && !keep[n] {
			delete(f, n)
		}
	}
	return nil
}
