package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sampleHelp = `wufang-demo — the wufang demo tool (zh 中文, 90°)

Usage:
  wufang-demo [--config PATH] <command>
.starts with a dot, 'and a quote
  back\slash and -dash --double

Commands:
  run     run it
  config check   check it
`

// TestManPageRendersTheHelp: man(1) shows every line of the help text as
// it is (nothing taken for a roff request or escape), and whatis finds the
// summary.
func TestManPageRendersTheHelp(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		msg := "man is missing: install the Debian packages man-db groff-base"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	page := manPage("wufang-demo", sampleHelp, "0.1.0~1.gabc", "/usr/share/doc/wufang-demo/DEPLOY.md", time.Unix(1764806400, 0))
	f := filepath.Join(t.TempDir(), "wufang-demo.1")
	if err := os.WriteFile(f, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", f)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANWIDTH=120", "MAN_KEEP_FORMATTING=", "MANPAGER=cat", "PAGER=cat")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("man: %v\n%s", err, out)
	}
	got := string(out)
	if strings.Contains(got, "warning") {
		t.Errorf("man warns:\n%s", got)
	}
	for _, line := range strings.Split(sampleHelp, "\n")[1:] {
		if strings.TrimSpace(line) != "" && !strings.Contains(got, line) {
			t.Errorf("the man page lacks the line %q:\n%s", line, got)
		}
	}
	if !strings.Contains(got, "wufang-demo - the wufang demo tool (zh 中文, 90°)") {
		t.Errorf("NAME section:\n%s", got)
	}
	for _, w := range []string{"/usr/share/doc/wufang-demo/DEPLOY.md", "/etc/wufang/", "2025-12-04"} {
		if !strings.Contains(got, w) {
			t.Errorf("the man page lacks %q:\n%s", w, got)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := map[string]string{
		"Permission is hereby granted, free of charge, to any person obtaining a copy":                                              "Expat",
		"Apache License\n   Version 2.0, January 2004":                                                                              "Apache-2.0",
		"Mozilla Public License Version 2.0\n====":                                                                                  "MPL-2.0",
		"Redistribution and use in source and binary forms ...\n * Neither the name of Google Inc. nor the names of":                "BSD-3-clause",
		"Redistribution and use in source and binary forms, with or without\nmodification, are permitted":                           "BSD-2-clause",
		"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee":                      "ISC",
		"This Font Software is licensed under the SIL Open Font License, Version 1.1. Permission is hereby granted, free of charge": "OFL-1.1",
		"This software is provided 'as-is', without any express or implied warranty. ... must be plainly marked as such":            "Zlib",
		"All rights reserved. Do not copy.":                                                                                         "",
	}
	for text, want := range cases {
		if got := classify(text); got != want {
			t.Errorf("classify(%q) = %q, want %q", text, got, want)
		}
	}
	if got := escapePath("github.com/BurntSushi/toml"); got != "github.com/!burnt!sushi/toml" {
		t.Errorf("escapePath: %s", got)
	}
}
