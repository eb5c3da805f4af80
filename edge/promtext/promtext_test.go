package promtext

import (
	"strings"
	"testing"
)

func TestWriter(t *testing.T) {
	var b strings.Builder
	m := &Writer{W: &b}
	m.Counter("a_total", "A.", 1e6)
	m.Gauge("b", "B.", 0.25, "site", `x"y\z`)
	m.Labelled("c_total", "C.", "k", map[string]uint64{"z": 2, "a": 1})
	want := `# HELP a_total A.
# TYPE a_total counter
a_total 1000000
# HELP b B.
# TYPE b gauge
b{site="x\"y\\z"} 0.25
# HELP c_total C.
# TYPE c_total counter
c_total{k="a"} 1
c_total{k="z"} 2
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
