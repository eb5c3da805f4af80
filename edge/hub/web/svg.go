package web

import (
	"fmt"
	"html/template"
	"strings"
)

// series is one set of bars: its name, its CSS class and its values.
type series struct {
	Name, Class string
	Values      []int64
}

// barChart draws grouped bars as inline SVG: no script, no library, and the
// same numbers as the table the page puts beside it (each bar's <title>
// names its value for a pointer or a screen reader). Colours come from the
// stylesheet (classes), since the CSP forbids inline styles.
func barChart(title string, labels []string, ss []series) template.HTML {
	const w, h, left, bottom, top = 720.0, 220.0, 40.0, 24.0, 8.0
	var peak int64
	for _, s := range ss {
		for _, x := range s.Values {
			peak = max(peak, x)
		}
	}
	scale := niceMax(peak)
	n := len(labels)
	if n == 0 {
		n = 1
	}
	slot := (w - left) / float64(n)
	bw := slot * 0.8 / float64(max(len(ss), 1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" preserveAspectRatio="none">`, w, h, template.HTMLEscapeString(title))
	plot := h - bottom - top
	for i := 0; i <= 4; i++ {
		y := top + plot*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/>`, left, w, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="end">%d</text>`, left-4, y+4, scale*int64(4-i)/4)
	}
	every := max(1, (n+9)/10) // at most about ten labels: a Chinese date is wide
	for i, l := range labels {
		x0 := left + slot*float64(i) + slot*0.1
		for j, s := range ss {
			if i >= len(s.Values) {
				continue
			}
			v := s.Values[i]
			bh := 0.0
			if scale > 0 {
				bh = plot * float64(v) / float64(scale)
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s: %d</title></rect>`,
				s.Class, x0+bw*float64(j), top+plot-bh, bw, bh, template.HTMLEscapeString(s.Name), template.HTMLEscapeString(l), v)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, left+slot*(float64(i)+0.5), h-6, template.HTMLEscapeString(l))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten (and
// a multiple of 4, so the four grid lines get whole numbers).
func niceMax(v int64) int64 {
	if v <= 0 {
		return 4
	}
	p := int64(1)
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			t := m * p
			for t%4 != 0 {
				t++
			}
			return t
		}
	}
	return v
}
