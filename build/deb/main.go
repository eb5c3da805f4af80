// Command deb makes wufang's Debian packages with nfpm and a flat apt
// repository of them, from build/cross.sh's binaries:
//
//	cd build/deb && go run . -bin ../../dist/bin -out ../../dist/apt -version 0.1.0+212.g1a2b3c4
//
// It is its own Go module so that nfpm's dependencies (go-git, sprig, the
// rpm and apk writers...) stay out of the product's module graph: nothing
// that runs on a board links them.
//
// Packages, for each architecture whose binaries are in -bin:
//
//	wufang-kiosk  kiosk + edge hub, the cage session unit   amd64 arm64 armhf
//	wufang-edge   door-counter board: wufang-edge.service   amd64 arm64 armhf armel
//	wufang-hub    the hub: wufang-hub.service, hub.yaml     amd64 arm64 armhf armel
//	wufang-pack   the staff tool                            amd64 arm64 armhf armel
//
// wufang-kiosk and wufang-edge conflict: the kiosk runs the edge hub itself,
// and two hubs would compete for one store.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	bin := flag.String("bin", "", "build/cross.sh's output: BIN/<debian arch>/<binary>")
	out := flag.String("out", "", "where the .debs and the repository index go")
	ver := flag.String("version", "", "the stamped app version (build/lib.sh wufang_version)")
	root := flag.String("root", "../..", "the repository root")
	flag.Parse()
	if *bin == "" || *out == "" || *ver == "" {
		fmt.Fprintln(os.Stderr, "usage: deb -bin DIR -out DIR -version V [-root DIR]")
		os.Exit(2)
	}
	if err := run(*bin, *out, *ver, *root); err != nil {
		fmt.Fprintf(os.Stderr, "deb: %v\n", err)
		os.Exit(1)
	}
}

func run(bin, out, ver, root string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "wufang-deb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var made []string
	for _, p := range packages() {
		for _, arch := range p.arches {
			if !hasAll(filepath.Join(bin, arch), p.bins) {
				continue
			}
			f, err := build(p, arch, ver, bin, root, tmp, out)
			if err != nil {
				return fmt.Errorf("%s %s: %w", p.name, arch, err)
			}
			made = append(made, f)
			st, _ := os.Stat(f)
			fmt.Printf("%s  %d kB\n", filepath.Base(f), st.Size()/1024)
		}
	}
	if len(made) == 0 {
		return fmt.Errorf("no binaries under %s (run build/cross.sh first)", bin)
	}
	return writeRepo(out, made)
}

func hasAll(dir string, bins []string) bool {
	for _, b := range bins {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return false
		}
	}
	return true
}

// debVersion turns the app's semantic version into the package's: build
// metadata becomes a "~" suffix, so development builds of 0.1.0 sort below
// the 0.1.0 release in dpkg as in semver (build/lib.sh's deb_version).
func debVersion(v string) string { return strings.Replace(v, "+", "~", 1) }
