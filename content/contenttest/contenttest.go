// Package contenttest makes signed .wfpack files for the tests of other
// packages (the hub's offers, the devices that take them).
package contenttest

import (
	"bytes"
	"crypto/rand"
	"io/fs"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
)

// Key makes a signing key; its Public().Line() goes into trusted_keys.
func Key(t testing.TB, name string) content.PrivateKey {
	t.Helper()
	k, err := content.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var versionLine = regexp.MustCompile(`(?m)^version: .*$`)

// Wfpack returns the built-in pack as a .wfpack at the given version,
// signed by key (nil: unsigned); change, if any, edits its pack.yaml.
func Wfpack(t testing.TB, version string, key *content.PrivateKey, change ...func(yaml string) string) []byte {
	t.Helper()
	src := builtin.FS()
	m := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: b, Mode: 0o644}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	y := m["pack.yaml"].Data
	if !versionLine.Match(y) {
		t.Fatal("contenttest: the built-in pack.yaml has no version line")
	}
	y = versionLine.ReplaceAll(y, []byte("version: "+version))
	for _, c := range change {
		y = []byte(c(string(y)))
	}
	m["pack.yaml"].Data = y
	files, _, err := content.PackFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := content.WriteWfpack(&b, m, files, key); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
