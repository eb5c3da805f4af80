package content

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem stops a pack from being installed.
type Severity string

// Severities.
const (
	SevError   Severity = "error"   // the pack is refused
	SevWarning Severity = "warning" // the pack installs, but something should be fixed (text too long)
)

// Problem is one thing wrong with a pack, located in a file of the pack.
// Msg is a sentence a staff member can act on: what is wrong and what to
// change.
type Problem struct {
	File     string // path inside the pack, e.g. modules/fire.yaml
	Line     int    // 1-based; 0 when the problem is about the whole file
	Col      int
	Severity Severity
	Key      string // key path inside the file, e.g. steps[2].options; may be empty
	Msg      string
}

// String formats the problem the way compilers do:
// file:line:col: severity: key: message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	b.WriteString(": ")
	b.WriteString(string(p.Severity))
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is a list of problems; as an error it is the load or validation
// failure of a pack.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Errors returns the problems of severity error.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == SevError {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems of severity warning.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == SevWarning {
			out = append(out, p)
		}
	}
	return out
}

// sortProblems orders problems by file (pack.yaml first), line and column,
// keeping the order in which they were found for the same place.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			if a.File == manifestName {
				return true
			}
			if b.File == manifestName {
				return false
			}
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
