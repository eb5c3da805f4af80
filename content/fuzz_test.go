package content

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

// checkProblems asserts what every problem list must satisfy, whatever the
// input: located in a file, a known severity, a message.
func checkProblems(t *testing.T, p *Pack, probs Problems) {
	if p == nil && len(probs) == 0 {
		t.Fatal("no pack and no problem")
	}
	for _, pr := range probs {
		if pr.File == "" || pr.Msg == "" || (pr.Severity != SevError && pr.Severity != SevWarning) || pr.Line < 0 || pr.Col < 0 {
			t.Fatalf("malformed problem %#v", pr)
		}
	}
}

// slowGuard fails an input that takes far longer than any real pack: a
// hostile pack must not be able to hang the kiosk either. The bound is loose
// because the fuzzer shares a busy machine.
func slowGuard(t *testing.T, start time.Time) {
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}

func FuzzLoadManifest(f *testing.F) {
	for _, name := range []string{"testdata/good/pack.yaml", "testdata/good/modules/fire.yaml", "cmd/wufang-pack/testdata/many-problems/pack.yaml", "cmd/wufang-pack/testdata/many-problems/modules/fire.yaml", "cmd/wufang-pack/testdata/many-problems/modules/traffic.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// The YAML files of the corpus (the alias bomb, the non-UTF-8 file).
	corpus, _ := filepath.Glob("testdata/corpus/*" + Extension)
	for _, name := range corpus {
		z, err := zip.OpenReader(name)
		if err != nil {
			continue
		}
		for _, zf := range z.File {
			if filepath.Ext(zf.Name) == ".yaml" && zf.UncompressedSize64 < 1<<16 {
				if rc, err := zf.Open(); err == nil {
					data, _ := io.ReadAll(rc)
					rc.Close()
					f.Add(data)
				}
			}
		}
		z.Close()
	}
	f.Add([]byte("a: &a [x]\nb: *a\n"))
	f.Add([]byte("format: wufang-pack/1\nmodules: [fire, fire, x]\n"))
	base := goodFS(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowGuard(t, time.Now())
		for _, name := range []string{"pack.yaml", "modules/fire.yaml"} {
			m := fstest.MapFS{}
			maps.Copy(m, base)
			m[name] = &fstest.MapFile{Data: data}
			p, probs := Check(m)
			checkProblems(t, p, probs)
			if _, err := Load(m); err == nil && len(probs.Errors()) == 0 && p == nil {
				t.Fatal("loaded without a pack")
			}
		}
	})
}

var readErrors = []error{ErrNotPack, ErrUnsafePath, ErrLink, ErrDuplicate, ErrTooManyFiles, ErrTooLarge, ErrFileTooLarge, ErrCompressionBomb, ErrImageBomb, ErrNotUTF8, ErrFileType}

func FuzzReadWfpack(f *testing.F) {
	corpus, _ := filepath.Glob("testdata/corpus/*" + Extension)
	for _, name := range corpus {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	key := testKey(f, 1, "fuzz")
	m := goodFS(f)
	var b bytes.Buffer
	if err := WriteWfpack(&b, m, slices.Sorted(maps.Keys(m)), &key); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	trusted := []PublicKey{key.Public()}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowGuard(t, time.Now())
		w, err := ReadWfpack(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			known := false
			for _, e := range readErrors {
				known = known || errors.Is(err, e)
			}
			if !known {
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		var total int
		for _, name := range w.Files {
			b, err := fsReadFile(w, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > MaxFileBytes {
				t.Fatalf("%s: %d bytes passed the reader", name, len(b))
			}
			total += len(b)
		}
		if total > MaxUnpacked || len(w.Files) > MaxFiles {
			t.Fatalf("%d files, %d bytes passed the reader", len(w.Files), total)
		}
		if _, err := w.Verify(trusted, false); err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrUnsigned) {
			t.Fatalf("verify: error of no known kind: %v", err)
		}
		p, probs := Check(w.FS)
		checkProblems(t, p, probs)
	})
}

// FuzzPackFile puts the fuzzer's bytes into one file of an otherwise good,
// signed pack, so that the paths after the zip layer (UTF-8 and image
// header checks, signature, YAML, SVG, PNG and JPEG decoding, validation)
// see hostile content that FuzzReadWfpack's byte flips rarely get through
// the zip checksums to.
func FuzzPackFile(f *testing.F) {
	base := goodFS(f)
	for name, file := range base {
		f.Add(uint8(slices.Index(packFileSlots, name)), file.Data)
	}
	f.Add(uint8(4), pngOf(f, 8, 8))
	f.Add(uint8(5), jpegOf(f, 8, 8))
	f.Add(uint8(4), pngHeaderOnly(f, 4096, 4096))
	key := testKey(f, 1, "fuzz")
	trusted := []PublicKey{key.Public()}
	f.Fuzz(func(t *testing.T, slot uint8, data []byte) {
		defer slowGuard(t, time.Now())
		m := fstest.MapFS{}
		maps.Copy(m, base)
		name := packFileSlots[int(slot)%len(packFileSlots)]
		if name == "media/icon.png" || name == "media/icon.jpg" {
			m[fire] = &fstest.MapFile{Data: bytes.ReplaceAll(m[fire].Data, []byte("media/icon.svg"), []byte(name))}
		}
		m[name] = &fstest.MapFile{Data: data}
		var b bytes.Buffer
		if err := WriteWfpack(&b, m, slices.Sorted(maps.Keys(m)), &key); err != nil {
			return // over the size limits
		}
		w, err := ReadWfpack(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			if !errors.Is(err, ErrNotUTF8) && !errors.Is(err, ErrImageBomb) && !errors.Is(err, ErrCompressionBomb) {
				t.Fatalf("a built pack was refused: %v", err)
			}
			return
		}
		if _, err := w.Verify(trusted, false); err != nil {
			t.Fatalf("a signed pack does not verify: %v", err)
		}
		p, probs := Check(w.FS)
		checkProblems(t, p, probs)
		if _, err := Media(w.FS, name); err == nil && mediaKind(name) == "" {
			t.Fatalf("Media returned %s", name)
		}
	})
}

var packFileSlots = []string{"pack.yaml", "modules/fire.yaml", "media/icon.svg", "media/kitchen.svg", "media/icon.png", "media/icon.jpg"}
