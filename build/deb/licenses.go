package main

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// module is a Go module compiled into some of a package's binaries, with
// the licence files found at its root in the module cache.
type module struct {
	path, version string
	bins          []string // under /usr/bin
	license       string   // Debian's short name
	texts         []licenseFile
}

type licenseFile struct{ name, text string }

// compiledModules reads, from each binary's build information (what `go
// version -m` prints), the modules the Go linker put into it: exactly what
// is compiled in, for that architecture and those build tags, test-only and
// unused dependencies left out. The main module (wufang itself) is not
// among them.
func compiledModules(binDir string, bins []string) ([]*module, error) {
	byPath := map[string]*module{}
	for _, b := range bins {
		info, err := buildinfo.ReadFile(filepath.Join(binDir, b))
		if err != nil {
			return nil, fmt.Errorf("%s: reading its build information: %w", b, err)
		}
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			m := byPath[d.Path+"@"+d.Version]
			if m == nil {
				m = &module{path: d.Path, version: d.Version}
				byPath[d.Path+"@"+d.Version] = m
			}
			m.bins = append(m.bins, b)
		}
	}
	mods := make([]*module, 0, len(byPath))
	for _, m := range byPath {
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b *module) int { return strings.Compare(a.path, b.path) })
	return mods, nil
}

// readLicenses fills each module's licence from its LICENSE/COPYING files
// in the module cache (downloading the module if the cache lacks it); a
// module without one, or with a text this does not recognise, stops the
// packaging: a copyright file must not guess.
func readLicenses(root string, mods []*module) error {
	cache, err := goEnv(root, "GOMODCACHE")
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mods {
		dir := filepath.Join(cache, escapePath(m.path)+"@"+m.version)
		if _, err := os.Stat(dir); err != nil {
			cmd := exec.Command("go", "mod", "download", m.path+"@"+m.version)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s@%s: not in the module cache and go mod download failed: %v\n%s", m.path, m.version, err, out)
			}
		}
		texts, err := licenseFiles(dir)
		if err != nil {
			return err
		}
		m.texts = texts
		var names []string
		for _, t := range m.texts {
			if strings.HasPrefix(strings.ToUpper(t.name), "NOTICE") {
				continue
			}
			n := classify(t.text)
			if n == "" {
				errs = append(errs, fmt.Errorf("%s@%s: %s is a licence this packager does not recognise; add it to classify in build/deb/licenses.go after reading it", m.path, m.version, t.name))
				continue
			}
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		if len(names) == 0 && len(m.texts) == 0 {
			errs = append(errs, fmt.Errorf("%s@%s (compiled into %s): no LICENSE or COPYING file in %s; find its licence before shipping it", m.path, m.version, strings.Join(m.bins, ", "), dir))
		}
		m.license = strings.Join(names, " and ")
	}
	return errors.Join(errs...)
}

// licenseFiles are the licence and notice files of a module: at its root
// and in its folders (a bundled C library like GLFW's, embedded fonts like
// Fyne's carry their own), leaving out commands, tests and examples, which
// are not compiled into a wufang binary. Names are relative to the module.
func licenseFiles(dir string) ([]licenseFile, error) {
	var out []licenseFile
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		n := strings.ToUpper(e.Name())
		if e.IsDir() {
			if rel != "." && (n == "CMD" || n == "TESTDATA" || strings.HasPrefix(n, "EXAMPLE") || strings.HasPrefix(n, "_") ||
				strings.HasPrefix(n, ".") || n == "VENDOR" || n == "FVT") {
				return filepath.SkipDir
			}
			return nil
		}
		// LICENSE-LOGO (modernc.org): where a logo image comes from; no
		// image is compiled in.
		if ext := filepath.Ext(n); ext != "" && ext != ".TXT" && ext != ".MD" && ext != ".RST" && !strings.Contains(ext, "-") {
			return nil // notice_response.go and the like
		}
		if strings.Contains(n, "LOGO") || !(strings.HasPrefix(n, "LICENSE") || strings.HasPrefix(n, "LICENCE") ||
			strings.HasPrefix(n, "COPYING") || strings.HasPrefix(n, "NOTICE")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, licenseFile{filepath.ToSlash(rel), string(b)})
		return nil
	})
	return out, err
}

// classify names a licence text by Debian's short names (DEP-5), from the
// sentences that tell the common ones apart.
func classify(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	has := func(s string) bool { return strings.Contains(t, s) }
	switch {
	// Font licences first: they too say "Permission is hereby granted".
	case has("SIL OPEN FONT LICENSE Version 1.1") || has("SIL Open Font License, Version 1.1"):
		return "OFL-1.1"
	case has("Bitstream Vera Fonts Copyright"):
		return "Bitstream-Vera"
	case has("This software is provided 'as-is', without any express or implied warranty") && has("must be plainly marked"):
		return "Zlib"
	case has("Eclipse Public License - v 2.0") && has("Eclipse Distribution License v1.0"):
		// Paho: either licence, the EDL being BSD-3-clause.
		return "EPL-2.0 or BSD-3-clause"
	case has("Apache License") && has("Version 2.0"):
		return "Apache-2.0"
	case has("Mozilla Public License Version 2.0") || has("Mozilla Public License, version 2.0"):
		return "MPL-2.0"
	case has("Permission is hereby granted, free of charge"):
		return "Expat"
	case has("Permission to use, copy, modify, and/or distribute this software for any purpose"),
		has("Permission to use, copy, modify, and distribute this software for any purpose with or without fee"):
		return "ISC"
	case has("Redistribution and use in source and binary forms"):
		if has("Neither the name") || has("may not be used to endorse") || has("may be used to endorse") {
			return "BSD-3-clause"
		}
		return "BSD-2-clause"
	case has("This is free and unencumbered software released into the public domain"):
		return "Unlicense"
	case has("SQLite Is Public Domain") && has("dedicated to the public domain"):
		return "public-domain"
	}
	return ""
}

// commonLicenses are the texts Debian keeps in /usr/share/common-licenses:
// the copyright file points there instead of copying them.
var commonLicenses = map[string]string{"Apache-2.0": "Apache-2.0", "MPL-2.0": "MPL-2.0"}

// moduleParagraphs are the DEP-5 paragraphs for the compiled-in modules:
// one a module, its licence files' text quoted (or, for a licence Debian
// ships, a pointer to it plus any NOTICE).
func moduleParagraphs(mods []*module) string {
	var b strings.Builder
	for _, m := range mods {
		fmt.Fprintf(&b, "\nFiles: %s/*\n", m.path)
		fmt.Fprintf(&b, "Copyright: %s\n", copyrightLines(m))
		fmt.Fprintf(&b, "License: %s\n", m.license)
		fmt.Fprintf(&b, "Comment: The Go module %s %s, compiled into %s.\n", m.path, m.version, "usr/bin/"+strings.Join(m.bins, ", usr/bin/"))
		for _, t := range m.texts {
			if c, ok := commonLicenses[classify(t.text)]; ok {
				fmt.Fprintf(&b, " .\n Its %s is the %s licence, in /usr/share/common-licenses/%s.\n", t.name, m.license, c)
				continue
			}
			fmt.Fprintf(&b, " .\n Its %s:\n .\n", t.name)
			b.WriteString(quote(t.text))
		}
	}
	return b.String()
}

// copyrightLines are the "Copyright ..." lines of a module's licence files,
// or a pointer to them.
func copyrightLines(m *module) string {
	var lines []string
	for _, t := range m.texts {
		for _, l := range strings.Split(t.text, "\n") {
			l = strings.TrimSpace(l)
			if (strings.HasPrefix(l, "Copyright (c)") || strings.HasPrefix(l, "Copyright ©") || strings.HasPrefix(l, "Copyright 2") ||
				strings.HasPrefix(l, "Copyright (C)") || strings.HasPrefix(l, "Copyright 1")) && !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return "the authors of " + m.path + " (see the licence text below)"
	}
	return strings.Join(lines, "\n ")
}

// quote indents text as a DEP-5 field continuation: blank lines become " .".
func quote(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			b.WriteString(" .\n")
		} else {
			b.WriteString(" " + line + "\n")
		}
	}
	return b.String()
}

// escapePath is the module cache's spelling of a module path: each upper
// case letter becomes "!" and its lower case.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func goEnv(root, name string) (string, error) {
	cmd := exec.Command("go", "env", name)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// stdParagraph is the DEP-5 paragraph for the Go standard library and
// runtime, compiled into every Go binary, with the toolchain's LICENSE.
func stdParagraph(root, binDir string, bins []string) (string, error) {
	info, err := buildinfo.ReadFile(filepath.Join(binDir, bins[0]))
	if err != nil {
		return "", err
	}
	goroot, err := goEnv(root, "GOROOT")
	if err != nil {
		return "", err
	}
	text, err := os.ReadFile(filepath.Join(goroot, "LICENSE"))
	if err != nil {
		return "", err
	}
	name := classify(string(text))
	if name == "" {
		return "", fmt.Errorf("%s/LICENSE: not a licence this packager recognises", goroot)
	}
	m := &module{path: "go.dev/std", texts: []licenseFile{{"LICENSE", string(text)}}}
	return fmt.Sprintf("\nFiles: go.dev/std/*\nCopyright: %s\nLicense: %s\nComment: The Go standard library and runtime (%s), compiled into usr/bin/%s.\n .\n Its LICENSE:\n .\n%s",
		copyrightLines(m), name, info.GoVersion, strings.Join(bins, ", usr/bin/"), quote(string(text))), nil
}
