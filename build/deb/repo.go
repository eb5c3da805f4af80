package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blakesmith/ar"
)

// writeRepo writes a flat apt repository beside the .debs: Packages,
// Packages.gz and Release. A site adds it with
//
//	deb [trusted=yes] file:/media/usb/wufang ./
//
// (unsigned: the site copies it from a stick it trusts; the .wfpack content
// is what is signed).
func writeRepo(dir string, debs []string) error {
	slices.Sort(debs)
	var idx bytes.Buffer
	arches := map[string]bool{}
	for _, d := range debs {
		control, err := controlOf(d)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		b, err := os.ReadFile(d)
		if err != nil {
			return err
		}
		m, s := md5.Sum(b), sha256.Sum256(b)
		idx.WriteString(strings.TrimRight(control, "\n") + "\n")
		fmt.Fprintf(&idx, "Filename: ./%s\nSize: %d\nMD5sum: %s\nSHA256: %s\n\n",
			filepath.Base(d), len(b), hex.EncodeToString(m[:]), hex.EncodeToString(s[:]))
		for _, line := range strings.Split(control, "\n") {
			if a, ok := strings.CutPrefix(line, "Architecture: "); ok {
				arches[a] = true
			}
		}
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(idx.Bytes())
	zw.Close()
	index := map[string][]byte{"Packages": idx.Bytes(), "Packages.gz": gz.Bytes()}
	var rel strings.Builder
	fmt.Fprintf(&rel, "Origin: wufang\nLabel: wufang\nSuite: stable\nArchitectures: %s\nDate: %s\nDescription: wufang packages for offline installs (USB stick or intranet)\n",
		strings.Join(slices.Sorted(func(yield func(string) bool) {
			for a := range arches {
				if !yield(a) {
					return
				}
			}
		}), " "), sourceTime("").Format(time.RFC1123))
	for _, sum := range []string{"MD5Sum", "SHA256"} {
		rel.WriteString(sum + ":\n")
		for _, name := range []string{"Packages", "Packages.gz"} {
			var h string
			if sum == "MD5Sum" {
				s := md5.Sum(index[name])
				h = hex.EncodeToString(s[:])
			} else {
				s := sha256.Sum256(index[name])
				h = hex.EncodeToString(s[:])
			}
			fmt.Fprintf(&rel, " %s %d %s\n", h, len(index[name]), name)
		}
	}
	index["Release"] = []byte(rel.String())
	for name, b := range index {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// controlOf reads the control file out of a .deb (an ar archive holding
// control.tar.gz).
func controlOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := ar.NewReader(f)
	for {
		h, err := r.Next()
		if err != nil {
			return "", fmt.Errorf("no control.tar.gz: %w", err)
		}
		if strings.TrimSuffix(h.Name, "/") != "control.tar.gz" {
			continue
		}
		zr, err := gzip.NewReader(r)
		if err != nil {
			return "", err
		}
		tr := tar.NewReader(zr)
		for {
			th, err := tr.Next()
			if err != nil {
				return "", fmt.Errorf("no ./control in control.tar.gz: %w", err)
			}
			if strings.TrimPrefix(th.Name, "./") == "control" {
				b, err := io.ReadAll(tr)
				return string(b), err
			}
		}
	}
}
