// Package promtext writes metrics in the Prometheus text exposition format
// (version 0.0.4), by hand: the device's and the hub's /metrics need a few
// gauges and counters, not a client library and its registry.
package promtext

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ContentType is the Content-Type of a /metrics response.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Writer writes metric families to W.
type Writer struct{ W io.Writer }

// Head writes a family's HELP and TYPE lines (typ "gauge" or "counter").
func (m *Writer) Head(name, help, typ string) {
	fmt.Fprintf(m.W, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// Sample writes one sample; labels are name, value pairs.
func (m *Writer) Sample(name string, v float64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=\"%s\"", labels[i], labelEscaper.Replace(labels[i+1]))
		}
		b.WriteByte('}')
	}
	fmt.Fprintf(m.W, "%s %s\n", b.String(), formatValue(v))
}

// formatValue writes whole numbers as integers (a counter of a million is
// 1000000, not 1e+06: both are valid, one is readable with grep and awk)
// and everything else in Go's shortest form.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Gauge writes a family of one gauge sample.
func (m *Writer) Gauge(name, help string, v float64, labels ...string) {
	m.Head(name, help, "gauge")
	m.Sample(name, v, labels...)
}

// Counter writes a family of one counter sample.
func (m *Writer) Counter(name, help string, v float64) {
	m.Head(name, help, "counter")
	m.Sample(name, v)
}

// Labelled writes a counter family with one sample per key of values, the
// key as the label's value, in key order.
func (m *Writer) Labelled(name, help, label string, values map[string]uint64) {
	m.Head(name, help, "counter")
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		m.Sample(name, float64(values[k]), label, k)
	}
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// Bool is 1 for true, 0 for false.
func Bool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
