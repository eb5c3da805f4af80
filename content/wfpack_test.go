package content

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/corpus/*.wfpack")

// entry is one zip entry of a hand-made .wfpack. With raw set, data is
// written as the compressed bytes and the sizes and CRC are whatever the
// entry says: how a hostile archive lies.
type entry struct {
	name   string
	data   []byte
	mode   fs.FileMode
	method uint16
	raw    bool
	crc    uint32
	csize  uint64
	usize  uint64
}

func makeZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: e.method, Modified: packTime}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		if e.raw {
			h.CRC32, h.CompressedSize64, h.UncompressedSize64 = e.crc, e.csize, e.usize
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// packEntries is the good pack as zip entries, with its SHA256SUMS (not
// signed: the corpus is checked with unsigned packs allowed, so that each
// file is refused for its own reason).
func packEntries(t testing.TB, m fstest.MapFS) []entry {
	t.Helper()
	var b bytes.Buffer
	files := slices.Sorted(maps.Keys(m))
	if err := WriteWfpack(&b, m, files, nil); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range z.File {
		rc, _ := f.Open()
		var d bytes.Buffer
		d.ReadFrom(rc)
		rc.Close()
		out = append(out, entry{name: f.Name, data: d.Bytes(), method: zip.Deflate})
	}
	return out
}

func deflate(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// corpusCase is one hostile or broken .wfpack and how it must be refused.
type corpusCase struct {
	name string
	make func(t testing.TB) []byte
	err  error
	msg  string
	keep bool // written to testdata/corpus (too-many-files is too big)
}

func corpusCases() []corpusCase {
	with := func(extra ...entry) func(t testing.TB) []byte {
		return func(t testing.TB) []byte {
			return makeZip(t, append(packEntries(t, goodFS(t)), extra...))
		}
	}
	withFS := func(change func(t testing.TB, m fstest.MapFS)) func(t testing.TB) []byte {
		return func(t testing.TB) []byte {
			m := goodFS(t)
			change(t, m)
			return makeZip(t, packEntries(t, m))
		}
	}
	return []corpusCase{
		{"slip-dotdot", with(entry{name: "../evil.yaml", data: []byte("x: 1\n")}), ErrUnsafePath,
			`unsafe path: "../evil.yaml" climbs out of the pack folder with ..; this pack is unsafe, do not use it`, true},
		{"slip-deep-dotdot", with(entry{name: "media/../../evil.yaml", data: []byte("x: 1\n")}), ErrUnsafePath,
			`unsafe path: "media/../../evil.yaml" climbs out of the pack folder with ..`, true},
		{"slip-absolute", with(entry{name: "/etc/evil.yaml", data: []byte("x: 1\n")}), ErrUnsafePath,
			`unsafe path: "/etc/evil.yaml" is an absolute path or uses \; a pack may only hold paths inside its folder`, true},
		{"slip-backslash", with(entry{name: `..\evil.yaml`, data: []byte("x: 1\n")}), ErrUnsafePath,
			`unsafe path: "..\\evil.yaml" is an absolute path or uses \`, true},
		{"slip-drive", with(entry{name: `C:/evil.yaml`, data: []byte("x: 1\n")}), ErrUnsafePath,
			`unsafe path: "C:/evil.yaml" is an absolute path`, true},
		{"symlink", with(entry{name: "media/link.svg", data: []byte("../../../etc/passwd"), mode: fs.ModeSymlink | 0o777}), ErrLink,
			`link in pack: "media/link.svg" is a symbolic link; a pack may only hold plain files, replace the link with the file itself`, true},
		{"device", with(entry{name: "media/dev.svg", mode: fs.ModeDevice | 0o644}), ErrLink,
			`link in pack: "media/dev.svg" is a special file`, true},
		{"duplicate", with(entry{name: "pack.yaml", data: []byte("format: wufang-pack/1\n")}), ErrDuplicate,
			`duplicate file: "pack.yaml" is in the pack twice; a pack holds each file once, build it again with wufang-pack build`, true},
		{"duplicate-case", with(entry{name: "Pack.yaml", data: []byte("format: wufang-pack/1\n")}), ErrDuplicate,
			`duplicate file: "pack.yaml" and "Pack.yaml" differ only in upper and lower case, which a USB stick cannot tell apart; rename one`, true},
		{"file-and-folder", with(entry{name: "media/icon.svg/x.svg", data: []byte("<svg/>")}), ErrDuplicate,
			`duplicate file: "media/icon.svg" is both a file and a folder in the pack; rename one`, true},
		{"too-many-files", func(t testing.TB) []byte {
			var es []entry
			for i := range MaxFiles + 1 {
				es = append(es, entry{name: fmt.Sprintf("m/%d.yaml", i)})
			}
			return makeZip(t, es)
		}, ErrTooManyFiles, `too many files: the pack holds 2001 files; at most 2000 are allowed, remove unused pictures`, false},
		{"too-large", func(t testing.TB) []byte {
			var es []entry
			for i := range 17 {
				es = append(es, entry{name: fmt.Sprintf("media/%02d.png", i), data: []byte{0}, raw: true, csize: MaxFileBytes, usize: MaxFileBytes})
			}
			return makeZip(t, append(packEntries(t, goodFS(t)), es...))
		}, ErrTooLarge, `pack too large: the files unpack to more than 256 MiB in all; make the pictures smaller`, true},
		{"file-too-large", with(entry{name: "media/big.png", data: []byte{0}, raw: true, csize: 17 << 20, usize: 17 << 20}), ErrFileTooLarge,
			`file too large: "media/big.png" unpacks to 17 MiB; one file may be at most 16 MiB, make it smaller`, true},
		{"claims-too-much", with(entry{name: "media/short.png", data: []byte{0}, raw: true, csize: 1 << 20, usize: 1 << 20}), ErrNotPack,
			`not a content pack: "media/short.png" claims 1048576 bytes of data, more than the whole file holds; the pack is damaged, copy it again`, true},
		{"control-char", with(entry{name: "media/a\x01.svg", data: []byte("<svg/>")}), ErrUnsafePath,
			`unsafe path: "media/a\x01.svg" is not a plain path inside the pack (empty, ./ or // parts, control characters, or not UTF-8)`, true},
		{"ratio-bomb", func(t testing.TB) []byte {
			zeros := make([]byte, 8<<20)
			d := deflate(t, zeros)
			return makeZip(t, append(packEntries(t, goodFS(t)), entry{name: "media/zeros.svg", data: d, method: zip.Deflate, raw: true,
				crc: crc32.ChecksumIEEE(zeros), csize: uint64(len(d)), usize: uint64(len(zeros))}))
		}, ErrCompressionBomb, `compression bomb: "media/zeros.svg" is compressed`, true},
		{"size-lie-bomb", func(t testing.TB) []byte {
			zeros := make([]byte, 1<<20)
			d := deflate(t, zeros)
			return makeZip(t, append(packEntries(t, goodFS(t)), entry{name: "media/lie.svg", data: d, method: zip.Deflate, raw: true,
				crc: crc32.ChecksumIEEE(zeros[:1000]), csize: uint64(len(d)), usize: 1000}))
		}, ErrCompressionBomb, `compression bomb: "media/lie.svg" unpacks to more than the 1000 bytes it declares; this pack is unsafe, do not use it`, true},
		{"image-bomb", func(t testing.TB) []byte {
			return makeZip(t, append(packEntries(t, goodFS(t)), entry{name: "media/bomb.png", data: pngHeaderOnly(t, 100000, 100000), method: zip.Store}))
		}, ErrImageBomb, `image too large: "media/bomb.png" declares a picture of 100000×100000 pixels; the limit is 4096×4096, scale it down`, true},
		{"yaml-alias-bomb", withFS(func(t testing.TB, m fstest.MapFS) {
			var b strings.Builder
			b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
			for i := 1; i < 9; i++ {
				fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
			}
			m["pack.yaml"] = &fstest.MapFile{Data: append(m["pack.yaml"].Data, b.String()...)}
		}), ErrInvalid, `uses a YAML alias (*a0); aliases are not allowed in a pack`, true},
		{"not-utf8", withFS(func(t testing.TB, m fstest.MapFS) {
			replace(t, m, "pack.yaml", "My safety pack", "My s\xe4fety pack")
		}), ErrNotUTF8, `not UTF-8: "pack.yaml" is not UTF-8 text; save it as UTF-8 and build the pack again`, true},
		{"svg-not-utf8", withFS(func(t testing.TB, m fstest.MapFS) {
			m["media/icon.svg"] = &fstest.MapFile{Data: []byte("<svg viewBox=\"0 0 1 1\"><!-- \xff --></svg>")}
		}), ErrNotUTF8, `not UTF-8: "media/icon.svg" is not UTF-8 text`, true},
		{"file-type", with(entry{name: "install.sh", data: []byte("rm -rf /\n")}), ErrFileType,
			`file type not allowed: "install.sh" is not a file a pack holds (only .yaml, .png, .jpg, .svg, SHA256SUMS and SHA256SUMS.sig); remove it`, true},
		{"not-zip", func(t testing.TB) []byte { return []byte("this is not a zip file at all, just text\n") }, ErrNotPack,
			`not a content pack: the file is not a .wfpack (zip: not a valid zip file); make packs with wufang-pack build`, true},
		{"truncated", func(t testing.TB) []byte {
			b := makeZip(t, packEntries(t, goodFS(t)))
			return b[:len(b)/2]
		}, ErrNotPack, `not a content pack: the file is incomplete or damaged (zip: not a valid zip file); copy it again`, true},
		{"crc-damaged", func(t testing.TB) []byte {
			es := packEntries(t, goodFS(t))
			for i := range es {
				if es[i].name == "pack.yaml" {
					d := es[i].data
					es[i] = entry{name: "pack.yaml", data: d, method: zip.Store, raw: true, crc: crc32.ChecksumIEEE(d) + 1, csize: uint64(len(d)), usize: uint64(len(d))}
				}
			}
			return makeZip(t, es)
		}, ErrNotPack, `not a content pack: "pack.yaml" is damaged (its checksum does not match); copy the pack again`, true},
		{"invalid-pack", withFS(func(t testing.TB, m fstest.MapFS) {
			replace(t, m, "modules/fire.yaml", "pass_score: 60", "pass_score: 0")
		}), ErrInvalid, `invalid pack: 1 problem(s) must be fixed first, the first: modules/fire.yaml:17:13: error: pass_score: is missing`, true},
	}
}

// TestWriteCorpus regenerates testdata/corpus with -update-corpus, and
// otherwise checks that the committed files are what the generators make.
func TestWriteCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "corpus")
	for _, c := range corpusCases() {
		if !c.keep {
			continue
		}
		name := filepath.Join(dir, c.name+Extension)
		data := c.make(t)
		if *updateCorpus {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (go test -run TestWriteCorpus -update-corpus writes it)", err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s is not what its generator makes; rerun with -update-corpus", name)
		}
	}
}

type eventLog struct{ events []string }

func (l *eventLog) Record(_ context.Context, e wire.Event) error {
	l.events = append(l.events, fmt.Sprintf("%s %s %s %s", e.Kind, e.Pack, e.PackVer, e.Reason))
	return nil
}

// installedGood makes an installer in a fresh folder with the good pack
// installed and active.
func installedGood(t *testing.T) (*Installer, Info, *eventLog) {
	t.Helper()
	root := t.TempDir()
	log := &eventLog{}
	in := &Installer{Dir: filepath.Join(root, "content"), AllowUnsigned: true, AppVersion: "1.0.0", Recorder: log}
	good := filepath.Join(root, "good.wfpack")
	if err := os.WriteFile(good, makeZip(t, packEntries(t, goodFS(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := in.Install(context.Background(), good, InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return in, res.Installed, log
}

// TestCorpusRefused installs every file of the corpus over a working pack:
// each is refused with its own error and message, the active pack is
// untouched, nothing is left in the packs folder, and nothing was written
// outside the installer's folder.
func TestCorpusRefused(t *testing.T) {
	seen := map[string]string{}
	for _, c := range corpusCases() {
		t.Run(c.name, func(t *testing.T) {
			in, active, log := installedGood(t)
			root := filepath.Dir(in.Dir)
			before := tree(t, root)
			path := filepath.Join(root, c.name+Extension)
			if err := os.WriteFile(path, c.make(t), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := in.Install(context.Background(), path, InstallOptions{})
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v; want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message:\n%v\nwant it to contain:\n%s", err, c.msg)
			}
			if prev, dup := seen[err.Error()]; dup {
				t.Errorf("same message as %s: %v", prev, err)
			}
			seen[err.Error()] = c.name
			_, p, info, err := in.Active()
			if err != nil || info.Slot != active.Slot || info.Version != active.Version || p.ID != "my-pack" {
				t.Errorf("active pack after refusal: %+v %v; want %+v", info, err, active)
			}
			after := tree(t, root)
			after = slices.DeleteFunc(after, func(s string) bool { return s == c.name+Extension })
			if !slices.Equal(before, after) {
				t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
			}
			if n := len(log.events); n != 2 || !strings.HasPrefix(log.events[1], "pack.rejected") {
				t.Errorf("events: %q; want pack.installed then pack.rejected", log.events)
			}
		})
	}
}

// tree lists every path under root.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out
}

// TestReadWfpackRoundTrip: what WriteWfpack writes, ReadWfpack reads back
// byte for byte, and the build is reproducible.
func TestReadWfpackRoundTrip(t *testing.T) {
	m := goodFS(t)
	m["media/photo.png"] = &fstest.MapFile{Data: pngOf(t, 16, 16)}
	key, _ := GenerateKey(bytes.NewReader(make([]byte, 64)), "test")
	var a, b bytes.Buffer
	if err := WriteWfpack(&a, m, slices.Sorted(maps.Keys(m)), &key); err != nil {
		t.Fatal(err)
	}
	WriteWfpack(&b, m, slices.Sorted(maps.Keys(m)), &key)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two builds of the same folder differ")
	}
	w, err := ReadWfpack(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.Files, slices.Sorted(maps.Keys(m))) {
		t.Errorf("files %v; want %v", w.Files, slices.Sorted(maps.Keys(m)))
	}
	for name, f := range m {
		got, err := fs.ReadFile(w.FS, name)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s differs after the round trip (%v)", name, err)
		}
	}
	signer, err := w.Verify([]PublicKey{key.Public()}, false)
	if err != nil || signer.KeyID != key.Public().ID() || !signer.Trusted || signer.Name != "test" {
		t.Errorf("verify: %+v %v", signer, err)
	}
}

func TestPackFiles(t *testing.T) {
	m := goodFS(t)
	m[".git/config"] = &fstest.MapFile{Data: []byte("x")}
	m[".DS_Store"] = &fstest.MapFile{Data: []byte("x")}
	m["notes.txt"] = &fstest.MapFile{Data: []byte("x")}
	m["SHA256SUMS"] = &fstest.MapFile{Data: []byte("x")}
	files, skipped, err := PackFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"media/icon.svg", "media/kitchen.svg", "modules/fire.yaml", "pack.yaml"}
	if !slices.Equal(files, want) || !slices.Equal(skipped, []string{"SHA256SUMS", "notes.txt"}) {
		t.Errorf("files %v skipped %v", files, skipped)
	}
}
