package content

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"testing/fstest"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of a .wfpack. The reader refuses anything beyond them before it
// unpacks a byte of it.
const (
	MaxFiles     = 2000
	MaxUnpacked  = 256 << 20 // all files together
	MaxFileBytes = 16 << 20  // any one file
	// MaxRatio is the largest compression ratio accepted for a file over
	// ratioFloor bytes. Text compresses 5–10×; a file of zeros, 1000×.
	MaxRatio   = 100
	ratioFloor = 64 << 10
)

// Extension is the file name extension of a packed content pack.
const Extension = ".wfpack"

// packFileKinds are the file types a pack may hold.
var packFileKinds = []string{".yaml", ".png", ".jpg", ".jpeg", ".svg"}

// isTextFile says whether a file must be UTF-8.
func isTextFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".svg":
		return true
	}
	return name == sumsName || name == sigName
}

// Wfpack is a .wfpack that has been read and checked by ReadWfpack or
// ExtractWfpack. Its files are in FS; Verify checks them against the
// checksums and the signature.
type Wfpack struct {
	// FS is the pack folder: pack.yaml, modules/, media/ (not SHA256SUMS
	// or its signature).
	FS fs.FS
	// Files lists the pack's files, sorted.
	Files []string
	Sums  []byte // SHA256SUMS; nil if the pack has none
	Sig   []byte // SHA256SUMS.sig; nil if the pack is unsigned

	hashes map[string][32]byte // SHA-256 of each file, computed while reading
}

// OpenWfpack reads the .wfpack file at name into memory (ReadWfpack).
func OpenWfpack(name string) (*Wfpack, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open pack: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open pack: %w", err)
	}
	return ReadWfpack(f, st.Size())
}

// ReadWfpack reads a .wfpack of size bytes from r into memory, refusing
// anything unsafe (see readWfpack).
func ReadWfpack(r io.ReaderAt, size int64) (*Wfpack, error) {
	mfs := fstest.MapFS{}
	w, err := readWfpack(r, size, func(name string, data []byte) error {
		mfs[name] = &fstest.MapFile{Data: data, Mode: 0o444}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.FS = mfs
	return w, nil
}

// ExtractWfpack reads a .wfpack and writes its files under dir, which must
// exist and should be empty. Every file is written through an os.Root on
// dir, so nothing can be written outside it whatever the archive says; the
// names were checked before anyway. Files are fsynced; directories are not
// (the caller syncs the tree once it is complete).
func ExtractWfpack(r io.ReaderAt, size int64, dir string) (*Wfpack, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("extract pack: %w", err)
	}
	defer root.Close()
	w, err := readWfpack(r, size, func(name string, data []byte) error {
		if d := path.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
		if err != nil {
			return err
		}
		return writeSyncClose(f, data)
	})
	if err != nil {
		return nil, err
	}
	w.FS = os.DirFS(dir)
	return w, nil
}

func refuse(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// readWfpack checks a .wfpack and hands each file to put. Everything that
// can be checked from the zip's directory (names, links, duplicates, counts,
// declared sizes, compression ratios, file types) is checked for every entry
// before any data is unpacked. Data is then unpacked by this code, not by
// archive/zip, through a limit of the declared size, so a file that unpacks
// to more than it declares is caught after at most one byte too many.
func readWfpack(r io.ReaderAt, size int64, put func(name string, data []byte) error) (*Wfpack, error) {
	if size > MaxUnpacked {
		return nil, refuse(ErrTooLarge, "the file is %d MiB; a pack may be at most %d MiB, make the pictures smaller", size>>20, MaxUnpacked>>20)
	}
	z, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		magic := make([]byte, 4)
		if n, _ := r.ReadAt(magic, 0); n == 4 && string(magic) == "PK\x03\x04" {
			return nil, refuse(ErrNotPack, "the file is incomplete or damaged (%v); copy it again, and wait for the copy to finish before you remove the USB stick", err)
		}
		return nil, refuse(ErrNotPack, "the file is not a .wfpack (%v); make packs with wufang-pack build", err)
	}
	if len(z.File) > MaxFiles {
		return nil, refuse(ErrTooManyFiles, "the pack holds %d files; at most %d are allowed, remove unused pictures", len(z.File), MaxFiles)
	}
	w := &Wfpack{hashes: map[string][32]byte{}}
	seen := map[string]string{} // lower-case name -> name
	dirs := map[string]bool{}
	var total uint64
	var files []*zip.File
	for _, f := range z.File {
		name := f.Name
		isDir := strings.HasSuffix(name, "/")
		clean := strings.TrimSuffix(name, "/")
		switch {
		case strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || (len(name) > 1 && name[1] == ':'):
			return nil, refuse(ErrUnsafePath, "%q is an absolute path or uses \\; a pack may only hold paths inside its folder, build it again with wufang-pack build", name)
		case slices.Contains(strings.Split(clean, "/"), ".."):
			return nil, refuse(ErrUnsafePath, "%q climbs out of the pack folder with ..; this pack is unsafe, do not use it", name)
		case !fs.ValidPath(clean) || clean == "." || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
			return nil, refuse(ErrUnsafePath, "%q is not a plain path inside the pack (empty, ./ or // parts, control characters, or not UTF-8); build the pack again with wufang-pack build", name)
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, refuse(ErrLink, "%q is a symbolic link; a pack may only hold plain files, replace the link with the file itself", name)
		}
		if mode&(fs.ModeType&^fs.ModeDir) != 0 {
			return nil, refuse(ErrLink, "%q is a special file (%v), not a plain file; remove it", name, mode.Type())
		}
		if isDir || mode.IsDir() {
			dirs[clean] = true
			continue
		}
		key := strings.ToLower(clean)
		if prev, dup := seen[key]; dup {
			if prev == clean {
				return nil, refuse(ErrDuplicate, "%q is in the pack twice; a pack holds each file once, build it again with wufang-pack build", clean)
			}
			return nil, refuse(ErrDuplicate, "%q and %q differ only in upper and lower case, which a USB stick cannot tell apart; rename one", prev, clean)
		}
		seen[key] = clean
		if clean != sumsName && clean != sigName && !slices.Contains(packFileKinds, strings.ToLower(path.Ext(clean))) {
			return nil, refuse(ErrFileType, "%q is not a file a pack holds (only .yaml, .png, .jpg, .svg, SHA256SUMS and SHA256SUMS.sig); remove it", clean)
		}
		if f.UncompressedSize64 > MaxFileBytes {
			return nil, refuse(ErrFileTooLarge, "%q unpacks to %d MiB; one file may be at most %d MiB, make it smaller", clean, f.UncompressedSize64>>20, MaxFileBytes>>20)
		}
		total += f.UncompressedSize64
		if total > MaxUnpacked {
			return nil, refuse(ErrTooLarge, "the files unpack to more than %d MiB in all; make the pictures smaller", MaxUnpacked>>20)
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > MaxRatio*f.CompressedSize64 {
			return nil, refuse(ErrCompressionBomb, "%q is compressed %d times (%d bytes unpack to %d); no real pack file compresses like that, this pack is unsafe, do not use it", clean, f.UncompressedSize64/max(f.CompressedSize64, 1), f.CompressedSize64, f.UncompressedSize64)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, refuse(ErrNotPack, "%q uses a compression method (%d) this app does not read; build the pack with wufang-pack build", clean, f.Method)
		}
		files = append(files, f)
	}
	for _, f := range files {
		if f.CompressedSize64 > uint64(size) {
			return nil, refuse(ErrNotPack, "%q claims %d bytes of data, more than the whole file holds; the pack is damaged, copy it again", f.Name, f.CompressedSize64)
		}
		if dirs[f.Name] {
			return nil, refuse(ErrDuplicate, "%q is both a file and a folder in the pack; rename one", f.Name)
		}
		for d := path.Dir(f.Name); d != "."; d = path.Dir(d) {
			if seen[strings.ToLower(d)] != "" {
				return nil, refuse(ErrDuplicate, "%q is both a file and a folder in the pack; rename one", d)
			}
		}
	}
	for _, f := range files {
		data, err := unpack(f)
		if err != nil {
			return nil, err
		}
		name := f.Name
		if isTextFile(name) && !utf8.Valid(data) {
			return nil, refuse(ErrNotUTF8, "%q is not UTF-8 text; save it as UTF-8 and build the pack again", name)
		}
		if k := mediaKind(name); k == FormatPNG || k == FormatJPEG {
			// Only the header: a small file can declare a huge picture that
			// would take gigabytes to decode.
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
				if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width <= 0 || cfg.Height <= 0 {
					return nil, refuse(ErrImageBomb, "%q declares a picture of %d×%d pixels; the limit is %d×%d, scale it down", name, cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
				}
			}
		}
		switch name {
		case sumsName:
			w.Sums = data
			continue
		case sigName:
			w.Sig = data
			continue
		}
		w.hashes[name] = sha256.Sum256(data)
		w.Files = append(w.Files, name)
		if err := put(name, data); err != nil {
			return nil, fmt.Errorf("unpack %s: %w", name, err)
		}
	}
	sort.Strings(w.Files)
	return w, nil
}

// unpack reads one file of the pack. archive/zip already refuses a file
// that unpacks to more than it declares (ErrFormat, while reading) or whose
// checksum does not match (ErrChecksum, at the end); unpack only says so to
// staff, and calls the first a compression bomb, as the size lie that it is.
func unpack(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, refuse(ErrNotPack, "%q cannot be read (%v); the pack is damaged, copy it again", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, zip.ErrFormat):
		return nil, refuse(ErrCompressionBomb, "%q unpacks to more than the %d bytes it declares; this pack is unsafe, do not use it", f.Name, f.UncompressedSize64)
	case errors.Is(err, io.ErrUnexpectedEOF) && uint64(len(data)) < f.UncompressedSize64:
		return nil, refuse(ErrNotPack, "%q is shorter than it declares (%d of %d bytes); the pack is damaged, copy it again", f.Name, len(data), f.UncompressedSize64)
	case errors.Is(err, zip.ErrChecksum):
		return nil, refuse(ErrNotPack, "%q is damaged (its checksum does not match); copy the pack again", f.Name)
	}
	return nil, refuse(ErrNotPack, "%q cannot be unpacked (%v); the pack is damaged, copy it again", f.Name, err)
}

// Verify checks the pack's signature against the trusted keys, then every
// file against SHA256SUMS. An unsigned pack is refused unless allowUnsigned;
// so is a pack signed by a key that is not trusted. A bad signature or a
// file that does not match its checksum is always refused.
func (w *Wfpack) Verify(trusted []PublicKey, allowUnsigned bool) (Signer, error) {
	var signer Signer
	switch {
	case w.Sig == nil:
		if !allowUnsigned {
			return signer, refuse(ErrUnsigned, "the pack is not signed; sign it with wufang-pack sign (or build --key), or set content.allow_unsigned: true in the config to accept unsigned packs")
		}
	case w.Sums == nil:
		return signer, refuse(ErrBadSignature, "the pack has %s but no %s; build it again with wufang-pack build --key", sigName, sumsName)
	default:
		id, sig, err := parseSig(w.Sig)
		if err != nil {
			return signer, err
		}
		signer.KeyID = id
		var key *PublicKey
		for i := range trusted {
			if trusted[i].ID() == id {
				key = &trusted[i]
				break
			}
		}
		switch {
		case key != nil:
			if !ed25519.Verify(key.Key, append([]byte(sigContext), w.Sums...), sig) {
				return signer, refuse(ErrBadSignature, "the signature does not match the pack's checksums (SHA256SUMS was changed after signing, or the signature is damaged); get a fresh copy of the pack from whoever signed it")
			}
			signer.Name, signer.Trusted = key.Name, true
		case !allowUnsigned:
			return signer, refuse(ErrUnknownKey, "the pack is signed with key %s, which is not in content.trusted_keys; add that key's public key line to the config, or use a pack signed with a trusted key", id)
		}
	}
	if w.Sums == nil {
		return signer, nil
	}
	sums, err := parseSums(w.Sums)
	if err != nil {
		return signer, err
	}
	for _, name := range w.Files {
		want, ok := sums[name]
		if !ok {
			return signer, refuse(ErrBadSignature, "%s is in the pack but not in %s: it was added after the pack was signed; get a fresh copy of the pack", name, sumsName)
		}
		if w.hashes[name] != want {
			return signer, refuse(ErrBadSignature, "%s was changed after the pack was signed (its SHA-256 does not match %s); get a fresh copy of the pack", name, sumsName)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		if _, ok := w.hashes[name]; !ok {
			return signer, refuse(ErrBadSignature, "%s is listed in %s but missing from the pack: it was removed after the pack was signed; get a fresh copy of the pack", name, sumsName)
		}
	}
	return signer, nil
}

// packTime is the modification time written for every file, so that the
// same folder and key always build the same .wfpack.
var packTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// PackFiles lists the files of a pack folder that go into a .wfpack:
// pack.yaml, modules/*.yaml and every .yaml, .png, .jpg, .jpeg and .svg
// file, sorted. Hidden files and folders (.git, .DS_Store) are left out;
// other files are returned in skipped so the caller can say so.
func PackFiles(fsys fs.FS) (files, skipped []string, err error) {
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := path.Base(name)
		if name != "." && strings.HasPrefix(base, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() || name == sumsName || name == sigName ||
			!slices.Contains(packFileKinds, strings.ToLower(path.Ext(name))) {
			skipped = append(skipped, name)
			return nil
		}
		files = append(files, name)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list pack files: %w", err)
	}
	sort.Strings(files)
	return files, skipped, nil
}

// WriteWfpack writes the given files of fsys as a .wfpack to out, with
// SHA256SUMS and, when key is not nil, SHA256SUMS.sig. It does not
// validate; build does that first.
func WriteWfpack(out io.Writer, fsys fs.FS, files []string, key *PrivateKey) error {
	hashes := map[string][32]byte{}
	zw := zip.NewWriter(out)
	add := func(name string, data []byte) error {
		method := zip.Deflate
		if k := mediaKind(name); k == FormatPNG || k == FormatJPEG {
			method = zip.Store // already compressed
		}
		h := &zip.FileHeader{Name: name, Method: method, Modified: packTime}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("write pack: %w", err)
		}
		if len(data) > MaxFileBytes {
			return fmt.Errorf("write pack: %s is %d MiB; one file may be at most %d MiB", name, len(data)>>20, MaxFileBytes>>20)
		}
		hashes[name] = sha256.Sum256(data)
		if err := add(name, data); err != nil {
			return fmt.Errorf("write pack: %w", err)
		}
	}
	sums := makeSums(hashes)
	if err := add(sumsName, sums); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	if key != nil {
		if err := add(sigName, signSums(*key, sums)); err != nil {
			return fmt.Errorf("write pack: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	return nil
}

// Resign writes w again with a fresh SHA256SUMS signed by key. The files
// are checked against the old SHA256SUMS first, if there is one, so signing
// never blesses a pack that was damaged or changed since it was built.
func (w *Wfpack) Resign(out io.Writer, key PrivateKey) error {
	if w.Sums != nil {
		sums, err := parseSums(w.Sums)
		if err != nil {
			return err
		}
		for _, name := range w.Files {
			if h, ok := sums[name]; !ok || h != w.hashes[name] {
				return refuse(ErrBadSignature, "%s does not match the pack's %s; build the pack again from its folder before signing", name, sumsName)
			}
		}
		if len(sums) != len(w.Files) {
			return refuse(ErrBadSignature, "files listed in %s are missing; build the pack again from its folder before signing", sumsName)
		}
	}
	return WriteWfpack(out, w.FS, w.Files, &key)
}
