package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// helpText runs "BIN --help" from this machine's own build of the binary
// (the text is the same on every architecture; an arm binary would not
// run here).
func helpText(binRoot, name string) (string, error) {
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64", "arm": "armhf"}[runtime.GOARCH]
	path := filepath.Join(binRoot, arch, name)
	var out, errOut bytes.Buffer
	cmd := exec.Command(path, "--help")
	// Fyne's locale parser complains of LANG=C on stderr.
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "LC_ALL=")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s --help (its man page is made from it; build/cross.sh %s builds it): %v %s", path, arch, err, errOut.String())
	}
	if out.Len() == 0 {
		return "", fmt.Errorf("%s --help printed nothing on stdout", path)
	}
	return out.String(), nil
}

// summaries are the NAME lines of the binaries whose --help starts with
// "usage:" instead of a summary.
var summaries = map[string]string{
	"wufang-render": "draw every screen of a wufang content pack to PNG files (wufang-kiosk render runs it)",
}

// manPage is NAME.1: the first line of --help as the NAME line (its
// summary after "NAME:" or "NAME VERSION:" or "NAME —"), the rest verbatim,
// unfilled, as the DESCRIPTION. Generated at package time from the binary
// itself, so the page cannot drift from the program.
func manPage(name, help, ver, doc string, t time.Time) string {
	first, rest, _ := strings.Cut(strings.TrimRight(help, "\n"), "\n")
	summary := first
	if s, ok := summaries[name]; ok && strings.HasPrefix(strings.ToLower(first), "usage:") {
		summary, rest = s, help
	}
	for _, sep := range []string{" — ", ": "} {
		if _, after, ok := strings.Cut(summary, sep); ok && summary == first {
			summary = after
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, ".\\\" Made by build/deb from `%s --help`; edit that text, not this page.\n", name)
	fmt.Fprintf(&b, ".TH %s 1 %s \"wufang %s\" \"wufang\"\n", roff(strings.ToUpper(name)), t.UTC().Format("2006-01-02"), roff(ver))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roff(name), roff(summary))
	b.WriteString(".SH DESCRIPTION\n.nf\n")
	for _, line := range strings.Split(strings.Trim(rest, "\n"), "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(roffLine(line) + "\n")
	}
	b.WriteString(".fi\n")
	b.WriteString(".SH FILES\n.TP\n/etc/wufang/\nthe configuration (wufang.yaml for a room's board, hub.yaml for the hub)\n.TP\n/var/lib/wufang/\nthe data folder: event store, content packs, the hub's database\n")
	fmt.Fprintf(&b, ".SH SEE ALSO\n%s\n", roff(doc))
	return b.String()
}

// roff escapes text for a man page: backslashes, hyphens as the ASCII
// minus (so options copy as typed), and anything outside ASCII by its code
// point.
func roff(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-':
			b.WriteString(`\-`)
		case r > 126:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// roffLine is one line of unfilled text: a leading "." or "'" would be a
// request, so it gets a zero-width escape first.
func roffLine(line string) string {
	s := roff(line)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func gzipN(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
