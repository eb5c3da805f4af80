package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

const maintainer = "wufang team <wufang-kiosk@users.noreply.github.com>"

// build writes OUT/<name>_<version>_<arch>.deb and returns its path.
func build(p pkg, arch, ver, bin, root, tmp, out string) (string, error) {
	dir := filepath.Join(tmp, p.name+"-"+arch)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Every file gets the commit's time, so rebuilding the same tree makes
	// the same package.
	mtime := sourceTime(root)
	doc := "/usr/share/doc/" + p.name + "/"
	write := func(name, content string, mode os.FileMode) (string, error) {
		path := filepath.Join(dir, name)
		return path, os.WriteFile(path, []byte(content), mode)
	}
	var contents files.Contents
	add := func(src, dst, typ string, mode os.FileMode) {
		contents = append(contents, &files.Content{Source: src, Destination: dst, Type: typ,
			FileInfo: &files.ContentFileInfo{Mode: mode, MTime: mtime, Owner: "root", Group: "root"}})
	}
	seeAlso := "DEPLOY.md in the wufang-kiosk and wufang-edge packages"
	for _, f := range p.files {
		if strings.HasPrefix(f.dst, doc) {
			seeAlso = f.dst
			break
		}
	}
	for _, b := range p.bins {
		add(filepath.Join(bin, arch, b), "/usr/bin/"+b, "", 0o755)
		help, err := helpText(bin, b)
		if err != nil {
			return "", err
		}
		src := filepath.Join(dir, b+".1.gz")
		if err := os.WriteFile(src, gzipN([]byte(manPage(b, help, debVersion(ver), seeAlso, mtime))), 0o644); err != nil {
			return "", err
		}
		add(src, "/usr/share/man/man1/"+b+".1.gz", "", 0o644)
	}
	for _, u := range p.units {
		add(filepath.Join(root, "build/systemd", u), "/lib/systemd/system/"+u, "", 0o644)
	}
	for _, f := range p.files {
		add(filepath.Join(root, f.src), f.dst, "", f.mode)
	}
	if p.config {
		// config|noreplace: dpkg's conffile handling; an upgrade never
		// overwrites the installer's edits.
		add(filepath.Join(root, "build/wufang.example.yaml"), "/etc/wufang/wufang.yaml", files.TypeConfigNoReplace, 0o644)
		src, err := write("sysusers.conf", sysusers, 0o644)
		if err != nil {
			return "", err
		}
		add(src, "/usr/lib/sysusers.d/wufang.conf", "", 0o644)
		if src, err = write("journald.conf", journald, 0o644); err != nil {
			return "", err
		}
		add(src, "/usr/lib/systemd/journald.conf.d/wufang.conf", "", 0o644)
	}
	for _, f := range p.conffiles {
		add(filepath.Join(root, f.src), f.dst, files.TypeConfigNoReplace, f.mode)
	}
	if !p.config && p.sysusers != "" {
		src, err := write("sysusers.conf", p.sysusers, 0o644)
		if err != nil {
			return "", err
		}
		add(src, "/usr/lib/sysusers.d/"+sysusersFile(p), "", 0o644)
	}
	if ov := overrides(p); ov != "" {
		src, err := write("overrides", ov, 0o644)
		if err != nil {
			return "", err
		}
		add(src, "/usr/share/lintian/overrides/"+p.name, "", 0o644)
	}
	cr, err := copyright(p, root, filepath.Join(bin, arch))
	if err != nil {
		return "", err
	}
	src, err := write("copyright", cr, 0o644)
	if err != nil {
		return "", err
	}
	add(src, doc+"copyright", "", 0o644)
	src = filepath.Join(dir, "changelog.gz")
	if err := os.WriteFile(src, changelog(p.name, debVersion(ver), mtime), 0o644); err != nil {
		return "", err
	}
	add(src, doc+"changelog.gz", "", 0o644)

	info := &nfpm.Info{
		Name:          p.name,
		Arch:          arch,
		Platform:      "linux",
		Version:       debVersion(ver),
		VersionSchema: "none",
		Section:       "misc",
		Priority:      "optional",
		Maintainer:    maintainer,
		Description:   p.summary + "\n" + p.desc,
		Vendor:        "wufang",
		Homepage:      "https://github.com/wufang-kiosk/wufang",
		License:       "proprietary",
		MTime:         mtime,
		Overridables: nfpm.Overridables{
			Depends:    p.depends,
			Recommends: p.recommends,
			Conflicts:  p.conflicts,
			Replaces:   nil,
			Contents:   contents,
			Deb:        nfpm.Deb{Compression: "xz"},
		},
	}
	if len(p.units) > 0 || p.config || p.sysusers != "" {
		var err error
		if info.Scripts.PostInstall, err = write("postinst", postinst(p), 0o755); err != nil {
			return "", err
		}
	}
	if len(p.units) > 0 {
		if info.Scripts.PreRemove, err = write("prerm", prerm(p), 0o755); err != nil {
			return "", err
		}
		if info.Scripts.PostRemove, err = write("postrm", postrm(p), 0o755); err != nil {
			return "", err
		}
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return "", err
	}
	path := filepath.Join(out, deb.Default.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// overrides are lintian's overrides for what Debian's rules do not fit:
// Go binaries built with CGO_ENABLED=0 are static by design (they run on
// any board's libc, and cross-build without a C toolchain).
func overrides(p pkg) string {
	var b strings.Builder
	for _, bin := range p.bins {
		if bin != "wufang-kiosk" {
			fmt.Fprintf(&b, "# Go, CGO_ENABLED=0: static on purpose.\n%s: statically-linked-binary [usr/bin/%s]\n", p.name, bin)
		}
	}
	return b.String()
}

// copyright is the machine-readable debian/copyright: the project's own
// code (whose licence its owners have not stated), the font the kiosk
// embeds under the SIL Open Font License 1.1, and every Go module compiled
// into the package's binaries with its licence (licenses.go).
func copyright(p pkg, root, binDir string) (string, error) {
	var b strings.Builder
	b.WriteString(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: wufang
Source: https://github.com/wufang-kiosk/wufang

Files: *
Copyright: 2026 the wufang authors
License: none-stated
 The wufang repository states no licence for its own code (the programs in
 usr/bin, apart from the parts listed below). Its owners have not chosen
 one yet; until they do, ask them before copying or passing the programs on.
`)
	if p.font {
		ofl, err := os.ReadFile(filepath.Join(root, "kiosk/theme/fonts/OFL.txt"))
		if err != nil {
			return "", err
		}
		b.WriteString(`
Files: usr/bin/wufang-kiosk
Copyright: 2014-2021 Adobe (http://www.adobe.com/), 2010-2012 Google Corporation
Comment: wufang-kiosk embeds a subset of Noto Sans CJK SC (Regular, Bold) made by
 build/make-font.sh from Debian's fonts-noto-cjk. The font, and only the font,
 is licensed under the SIL Open Font License 1.1, copied here with its notice.
License: OFL-1.1
`)
		b.WriteString(quote(string(ofl)))
	}
	mods, err := compiledModules(binDir, p.bins)
	if err != nil {
		return "", err
	}
	if err := readLicenses(root, mods); err != nil {
		return "", err
	}
	b.WriteString(moduleParagraphs(mods))
	std, err := stdParagraph(root, binDir, p.bins)
	if err != nil {
		return "", err
	}
	b.WriteString(std)
	return b.String(), nil
}

// changelog is a one-entry Debian changelog, gzip -9n (no name, no time).
func changelog(name, ver string, t time.Time) []byte {
	text := fmt.Sprintf("%s (%s) unstable; urgency=medium\n\n  * Built from the wufang repository; see its git history.\n\n -- %s  %s\n",
		name, ver, maintainer, t.UTC().Format(time.RFC1123Z))
	return gzipN([]byte(text))
}

// sourceTime is the commit time given in SOURCE_DATE_EPOCH (build/package.sh
// sets it from git), else now.
func sourceTime(string) time.Time {
	var sec int64
	if _, err := fmt.Sscan(os.Getenv("SOURCE_DATE_EPOCH"), &sec); err == nil && sec > 0 {
		return time.Unix(sec, 0).UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}
