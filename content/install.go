package content

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Recorder records pack.installed and pack.rejected events. The edge store
// satisfies it; nil records nothing.
type Recorder interface {
	Record(ctx context.Context, e wire.Event) error
}

// Installer installs .wfpack files into Dir with two slots:
//
//	Dir/current.json            which slot is active and which is the previous one
//	Dir/packs/<id>-<version>-<random>/   one unpacked pack per slot
//	Dir/packs/.staging-<random>/         a pack being unpacked and checked
//
// A new pack is unpacked into a staging folder beside the active one,
// verified, validated and fsynced, renamed to its slot, and made active by
// replacing current.json by rename (then the folder is fsynced). Until that
// rename the old current.json names the old pack, whose files are never
// touched, so a crash at any point leaves the active pack working; leftovers
// of an interrupted install are removed by the next one.
//
// One Installer (one process) at a time may install into a Dir. Active may
// be called at any time, from any process.
type Installer struct {
	Dir           string
	TrustedKeys   []string // public key lines, as in content.trusted_keys
	AllowUnsigned bool
	AppVersion    string       // this app's version, for min_app_version
	Recorder      Recorder     // optional
	Clock         clock.Clock  // nil = the wall clock
	Log           *slog.Logger // nil = discard; says when an event cannot be recorded

	// fault, when set (by tests), is called before each step of an install
	// or rollback; an error from it stops the operation on the spot, with no
	// cleanup, as a crash would.
	fault func(step string) error

	mu sync.Mutex
}

// DefaultDir is the folder under a device's data_dir that holds installed
// packs; wufang-pack install and the kiosk both use it.
func DefaultDir(dataDir string) string { return filepath.Join(dataDir, "content") }

// InstallOptions are the choices staff make for one install.
type InstallOptions struct {
	// AllowDowngrade installs a lower version of the active pack.
	AllowDowngrade bool
	// ExpectID and ExpectVersion, when set, are the pack the file was
	// offered as (a hub's offer): a file holding any other pack is refused
	// with ErrNotOffered, and every refusal is recorded under this id and
	// version (the offer's), whatever the file held.
	ExpectID, ExpectVersion string
}

// Info describes an installed pack.
type Info struct {
	ID        string    `json:"id"`
	Version   string    `json:"version"`
	Title     Text      `json:"title,omitempty"`
	Signer    Signer    `json:"signer"`
	Installed time.Time `json:"installed"`
	Slot      string    `json:"slot"` // folder name under Dir/packs
}

// Result is what an install did.
type Result struct {
	Installed Info
	Previous  *Info // the pack that was active before, now the rollback target
	// Problems are the validation problems found: warnings on success, and
	// the errors (with warnings) when the pack was refused as invalid.
	Problems Problems
}

// state is current.json.
type state struct {
	V        int   `json:"v"`
	Active   *Info `json:"active"`
	Previous *Info `json:"previous,omitempty"`
}

const (
	stateName    = "current.json"
	packsDir     = "packs"
	stagingStart = ".staging-"
)

func (in *Installer) now() time.Time { return clock.Or(in.Clock).Now() }

func (in *Installer) step(name string) error {
	if in.fault != nil {
		return in.fault(name)
	}
	return nil
}

func (in *Installer) readState() (*state, error) {
	b, err := os.ReadFile(filepath.Join(in.Dir, stateName))
	if errors.Is(err, fs.ErrNotExist) {
		return &state{V: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pack state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read pack state: %s is damaged (%v); install a pack again", filepath.Join(in.Dir, stateName), err)
	}
	return &st, nil
}

// Active returns the active pack, loaded from its slot. It returns ErrNoPack
// when no pack was ever installed (the kiosk then shows the built-in pack).
func (in *Installer) Active() (fs.FS, *Pack, Info, error) {
	st, err := in.readState()
	if err != nil {
		return nil, nil, Info{}, err
	}
	if st.Active == nil {
		return nil, nil, Info{}, fmt.Errorf("active pack: %w", ErrNoPack)
	}
	fsys, p, err := in.open(*st.Active)
	if err != nil {
		return nil, nil, *st.Active, err
	}
	return fsys, p, *st.Active, nil
}

// Previous returns the pack that Rollback would make active, or
// ErrNoPrevious.
func (in *Installer) Previous() (Info, error) {
	st, err := in.readState()
	if err != nil {
		return Info{}, err
	}
	if st.Previous == nil {
		return Info{}, fmt.Errorf("previous pack: %w", ErrNoPrevious)
	}
	return *st.Previous, nil
}

func (in *Installer) slotDir(slot string) string { return filepath.Join(in.Dir, packsDir, slot) }

func (in *Installer) open(info Info) (fs.FS, *Pack, error) {
	if !ValidSlot(info.Slot) {
		return nil, nil, fmt.Errorf("open pack: slot %q in %s is not a slot name", info.Slot, stateName)
	}
	fsys := os.DirFS(in.slotDir(info.Slot))
	p, err := Load(fsys)
	if err != nil {
		return nil, nil, fmt.Errorf("open pack %s %s: %w", info.ID, info.Version, err)
	}
	return fsys, p, nil
}

// ValidSlot reports whether s can be a slot folder name (no path tricks).
func ValidSlot(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`) && !strings.HasPrefix(s, ".")
}

// Install verifies, validates and activates the .wfpack at wfpackPath. On
// any refusal the active pack is untouched, a pack.rejected event is
// recorded and the error says what to do; it wraps one of the Err values.
func (in *Installer) Install(ctx context.Context, wfpackPath string, opts InstallOptions) (Result, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	res, p, err := in.install(wfpackPath, opts)
	if err != nil {
		if errors.Is(err, errFault) {
			return res, err
		}
		ev := wire.Event{V: wire.Version, Time: in.now(), Kind: wire.PackRejected, Reason: shortReason(err)}
		switch {
		case opts.ExpectID != "":
			// The refusal is of the offer, whatever the file held.
			ev.Pack, ev.PackVer = opts.ExpectID, opts.ExpectVersion
		case p != nil:
			ev.Pack, ev.PackVer = p.ID, p.Version
		}
		in.record(ctx, ev)
		return res, err
	}
	in.record(ctx, wire.Event{V: wire.Version, Time: in.now(), Kind: wire.PackInstalled, Pack: res.Installed.ID, PackVer: res.Installed.Version})
	return res, nil
}

// errFault marks an error injected by a test: it must not be recorded as a
// refusal, since a real crash records nothing.
var errFault = errors.New("injected fault")

func (in *Installer) faultAt(name string) error {
	if err := in.step(name); err != nil {
		return fmt.Errorf("%w at %s: %w", errFault, name, err)
	}
	return nil
}

func shortReason(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 300
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func (in *Installer) record(ctx context.Context, e wire.Event) {
	if in.Recorder == nil {
		return
	}
	// A failure to record must not undo an install or hide a refusal.
	if err := in.Recorder.Record(ctx, e); err != nil && in.Log != nil {
		in.Log.Warn("content pack event not recorded", "kind", e.Kind, "pack", e.Pack, "err", err)
	}
}

func (in *Installer) install(wfpackPath string, opts InstallOptions) (Result, *Pack, error) {
	var res Result
	if in.Dir == "" {
		return res, nil, errors.New("install pack: no data folder given")
	}
	keys, err := ParsePublicKeys(in.TrustedKeys)
	if err != nil {
		return res, nil, fmt.Errorf("install pack: content.trusted_keys: %w", err)
	}
	st, err := in.readState()
	if err != nil {
		return res, nil, err
	}
	packs := filepath.Join(in.Dir, packsDir)
	if err := os.MkdirAll(packs, 0o755); err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	in.sweep(st)

	f, err := os.Open(wfpackPath)
	if err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return res, nil, fmt.Errorf("install pack: %s is not a file", wfpackPath)
	}
	if err := in.faultAt("staging"); err != nil {
		return res, nil, err
	}
	staging, err := os.MkdirTemp(packs, stagingStart)
	if err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(staging)
		}
	}()
	fail := func(err error) error {
		if errors.Is(err, errFault) {
			keep = true // a crash leaves its mess for the next sweep
		}
		return err
	}

	if err := in.faultAt("extract"); err != nil {
		return res, nil, fail(err)
	}
	w, err := ExtractWfpack(f, fi.Size(), staging)
	if err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	if err := in.faultAt("verify"); err != nil {
		return res, nil, fail(err)
	}
	signer, err := w.Verify(keys, in.AllowUnsigned)
	if err != nil {
		return res, nil, fmt.Errorf("install pack: %w", err)
	}
	if err := in.faultAt("validate"); err != nil {
		return res, nil, fail(err)
	}
	p, probs := Check(os.DirFS(staging))
	res.Problems = probs
	if errs := probs.Errors(); len(errs) > 0 {
		return res, p, fmt.Errorf("install pack: %w: %d problem(s) must be fixed first, the first: %s", ErrInvalid, len(errs), errs[0])
	}
	if err := CheckAppVersion(p, in.AppVersion); err != nil {
		return res, p, fmt.Errorf("install pack: %w", err)
	}
	if opts.ExpectID != "" && (p.ID != opts.ExpectID || p.Version != opts.ExpectVersion) {
		return res, p, fmt.Errorf("install pack: %w: the file holds %s %s, the offer named %s %s; offer the pack again from the hub", ErrNotOffered, p.ID, p.Version, opts.ExpectID, opts.ExpectVersion)
	}
	if a := st.Active; a != nil && a.ID == p.ID && !opts.AllowDowngrade {
		if c, err := CompareVersions(p.Version, a.Version); err == nil && c < 0 {
			return res, p, fmt.Errorf("install pack: %w: %s %s is older than the active %s; to go back to it on purpose, roll back, or install it again allowing a downgrade (wufang-pack install --allow-downgrade)", ErrDowngrade, p.ID, p.Version, a.Version)
		}
	}

	if err := in.faultAt("sync"); err != nil {
		return res, p, fail(err)
	}
	if err := syncTree(staging); err != nil {
		return res, p, fmt.Errorf("install pack: %w", err)
	}
	slot := fmt.Sprintf("%s-%s-%s", p.ID, p.Version, randomHex(4))
	if !ValidSlot(slot) {
		// Validation allows only ids and versions that make a plain name.
		return res, p, fmt.Errorf("install pack: %q cannot be a folder name", slot)
	}
	if err := in.faultAt("rename"); err != nil {
		return res, p, fail(err)
	}
	if err := os.Rename(staging, in.slotDir(slot)); err != nil {
		return res, p, fmt.Errorf("install pack: %w", err)
	}
	keep = true
	if err := atomicfile.SyncDir(packs); err != nil {
		return res, p, fmt.Errorf("install pack: %w", err)
	}
	info := Info{ID: p.ID, Version: p.Version, Title: p.Title, Signer: signer, Installed: in.now().UTC(), Slot: slot}
	next := &state{V: 1, Active: &info, Previous: st.Active}
	if err := in.writeState(next); err != nil {
		if !errors.Is(err, errFault) {
			os.RemoveAll(in.slotDir(slot))
		}
		return res, p, err
	}
	if err := in.faultAt("cleanup"); err != nil {
		return res, p, err
	}
	in.sweep(next)
	res.Installed, res.Previous = info, st.Active
	return res, p, nil
}

// writeState replaces current.json atomically: temp file, fsync, rename,
// fsync of the folder.
func (in *Installer) writeState(st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("write pack state: %w", err)
	}
	if err := in.faultAt("write-state"); err != nil {
		return err
	}
	w := atomicfile.Options{Perm: 0o644, Before: func(step string) error {
		switch step {
		case atomicfile.StepRename:
			return in.faultAt("swap-state")
		case atomicfile.StepSyncDir:
			return in.faultAt("sync-state")
		}
		return nil
	}}
	if err := w.WriteFile(filepath.Join(in.Dir, stateName), append(b, '\n')); err != nil {
		if errors.Is(err, errFault) {
			return err
		}
		return fmt.Errorf("write pack state: %w", err)
	}
	return nil
}

// Rollback makes the previous pack active again; the pack that was active
// becomes the previous one, so a second rollback undoes the first.
func (in *Installer) Rollback(ctx context.Context) (Info, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	st, err := in.readState()
	if err != nil {
		return Info{}, err
	}
	if st.Previous == nil {
		return Info{}, fmt.Errorf("rollback: %w: there is no earlier pack to go back to", ErrNoPrevious)
	}
	prev := *st.Previous
	if _, p, err := in.open(prev); err != nil {
		return Info{}, fmt.Errorf("rollback: the previous pack cannot be used (%w); install a pack instead", err)
	} else if err := CheckAppVersion(p, in.AppVersion); err != nil {
		return Info{}, fmt.Errorf("rollback: %w", err)
	}
	if err := in.faultAt("rollback"); err != nil {
		return Info{}, err
	}
	if err := in.writeState(&state{V: 1, Active: &prev, Previous: st.Active}); err != nil {
		return Info{}, err
	}
	in.record(ctx, wire.Event{V: wire.Version, Time: in.now(), Kind: wire.PackInstalled, Pack: prev.ID, PackVer: prev.Version, Reason: "rollback"})
	return prev, nil
}

// UseBuiltin makes no installed pack active, so the kiosk shows its
// built-in pack (Active returns ErrNoPack), and keeps the pack that was
// active as the previous one: Rollback brings it back. It is recorded as a
// pack.installed event of the built-in pack (id and version given by the
// caller, which holds that pack) with the reason "builtin". It returns the
// pack that was active; ErrNoPack when the built-in pack already shows.
func (in *Installer) UseBuiltin(ctx context.Context, builtinID, builtinVersion string) (Info, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	st, err := in.readState()
	if err != nil {
		return Info{}, err
	}
	if st.Active == nil {
		return Info{}, fmt.Errorf("back to the built-in pack: %w: the built-in pack already shows", ErrNoPack)
	}
	if err := in.faultAt("builtin"); err != nil {
		return Info{}, err
	}
	was := *st.Active
	if err := in.writeState(&state{V: 1, Previous: &was}); err != nil {
		return Info{}, err
	}
	in.record(ctx, wire.Event{V: wire.Version, Time: in.now(), Kind: wire.PackInstalled, Pack: builtinID, PackVer: builtinVersion, Reason: "builtin"})
	return was, nil
}

// sweep removes staging folders and slots that current.json does not name:
// leftovers of interrupted installs and packs older than the previous one.
func (in *Installer) sweep(st *state) {
	packs := filepath.Join(in.Dir, packsDir)
	entries, err := os.ReadDir(packs)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if (st.Active != nil && name == st.Active.Slot) || (st.Previous != nil && name == st.Previous.Slot) {
			continue
		}
		os.RemoveAll(filepath.Join(packs, name))
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// writeSyncClose writes data to f, flushes it to disk and closes f; f is
// closed whatever fails.
func writeSyncClose(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncTree fsyncs every folder under root (the files were synced as they
// were written), deepest first.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := atomicfile.SyncDir(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}
