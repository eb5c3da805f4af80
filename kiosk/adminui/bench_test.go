package adminui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/contenttest"
)

// BenchmarkPreview checks the built-in pack as a signed .wfpack the way the
// USB screen does before anything is installed; BenchmarkInstall installs
// the same file. Compare the two in one run (the preview reads the pack into
// memory and writes nothing; the install also unpacks and fsyncs it):
//
//	go test -run '^$' -bench 'Preview|Install' -benchtime 20x ./kiosk/adminui/
func BenchmarkPreview(b *testing.B) {
	in, path := benchPack(b)
	tr, showing := trustOf(in), builtinInfo()
	b.ResetTimer()
	for range b.N {
		if pv := previewPack(path, tr, showing, false); !pv.installs() {
			b.Fatalf("refused: %v", pv.refused)
		}
	}
}

func BenchmarkInstall(b *testing.B) {
	in, path := benchPack(b)
	b.ResetTimer()
	for range b.N {
		if _, err := in.Install(b.Context(), path, content.InstallOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPack(b *testing.B) (*content.Installer, string) {
	key := contenttest.Key(b, "bench")
	path := filepath.Join(b.TempDir(), "p.wfpack")
	if err := os.WriteFile(path, contenttest.Wfpack(b, "9.0.0", &key), 0o644); err != nil {
		b.Fatal(err)
	}
	return &content.Installer{Dir: filepath.Join(b.TempDir(), "content"), TrustedKeys: []string{key.Public().Line()}, AppVersion: "1.0.0"}, path
}
