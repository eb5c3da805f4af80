package content

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"testing"
)

// benchPack is the built-in pack (or the skeleton while it has no files)
// as a signed .wfpack in memory.
func benchPack(b *testing.B) (fs.FS, []byte) {
	var fsys fs.FS = os.DirFS("testdata/good")
	if _, err := os.Stat("builtin/pack/pack.yaml"); err == nil {
		fsys = os.DirFS("builtin/pack")
	}
	files, _, err := PackFiles(fsys)
	if err != nil {
		b.Fatal(err)
	}
	key := testKey(b, 1, "bench")
	var buf bytes.Buffer
	if err := WriteWfpack(&buf, fsys, files, &key); err != nil {
		b.Fatal(err)
	}
	return fsys, buf.Bytes()
}

// BenchmarkZipBaseline reads every file of the pack with archive/zip and
// nothing else: the baseline for BenchmarkReadWfpack.
func BenchmarkZipBaseline(b *testing.B) {
	_, data := benchPack(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range z.File {
			rc, _ := f.Open()
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	}
}

// BenchmarkReadWfpack reads the same pack through every hardening check,
// hashing and verifying the signature.
func BenchmarkReadWfpack(b *testing.B) {
	_, data := benchPack(b)
	key := testKey(b, 1, "bench")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		w, err := ReadWfpack(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Verify([]PublicKey{key.Public()}, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck loads and validates the pack, media included.
func BenchmarkCheck(b *testing.B) {
	fsys, _ := benchPack(b)
	for b.Loop() {
		if _, probs := Check(fsys); len(probs.Errors()) > 0 {
			b.Fatal(probs)
		}
	}
}
