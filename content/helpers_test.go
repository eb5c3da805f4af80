package content

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// goodFS is testdata/good (the wufang-pack init skeleton) as a MapFS that a
// test may change.
func goodFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	src := os.DirFS("testdata/good")
	err := fs.WalkDir(src, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, name)
		m[name] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// replace replaces the first old with new in file name, failing the test if
// old is not there (so a case can never silently test nothing).
func replace(t testing.TB, m fstest.MapFS, name, old, new string) {
	t.Helper()
	f, ok := m[name]
	if !ok {
		t.Fatalf("no file %s", name)
	}
	s := string(f.Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	m[name] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1)), Mode: 0o644}
}

func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeaderOnly is a 1×1 PNG whose IHDR claims w×h pixels: an image
// decompression bomb as far as the header goes.
func pngHeaderOnly(t testing.TB, w, h uint32) []byte {
	t.Helper()
	b := pngOf(t, 1, 1)
	// IHDR data starts at 16: 8 signature + 4 length + 4 type.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// decoysBlock is the decoys of the skeleton's hotspot step.
const decoysBlock = `    decoys:                 # safe things to tell apart: a tap shows the label, and is no miss
      - id: fridge
        label:
          zh-CN: 冰箱一直开着是正常的
          en: A fridge is made to run all day
        x: 0.07
        y: 0.25
        w: 0.21
        h: 0.44
`

// appendTo adds text at the end of a file of m.
func appendTo(name, text string) func(t *testing.T, m fstest.MapFS) {
	return func(t *testing.T, m fstest.MapFS) {
		m[name] = &fstest.MapFile{Data: append(slices.Clone(m[name].Data), text...)}
	}
}

// lessons is n lesson steps, as written in a module's steps list.
func lessons(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - {id: extra-lesson-%d, type: lesson, title: {zh-CN: 课, en: Lesson}, body: {zh-CN: 课文, en: Text}}\n", i)
	}
	return b.String()
}

// choices is n choice steps with the right option written first, in bank
// "extra" when banked.
func choices(n int, banked bool) string {
	bank := ""
	if banked {
		bank = ", bank: extra"
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - {id: extra-choice-%d, type: choice%s, prompt: {zh-CN: 问, en: Ask}, explanation: {zh-CN: 因为, en: Because},\n", i, bank)
		b.WriteString("     options: [{text: {zh-CN: 对, en: Right}, correct: true}, {text: {zh-CN: 错, en: Wrong}}]}\n")
	}
	return b.String()
}
