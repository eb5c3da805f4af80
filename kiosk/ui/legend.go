package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// legendH is the height of the button legend at 800×480.
const legendH = 32

// buttonLook is how each physical button is drawn in the legend: its own
// label and the colour of its cap on the panel (A–D dark, OK green, back
// grey).
var buttonLook = map[string]struct {
	label  string
	bg, fg color.Color
}{
	flow.BtnA:    {"A", navy, white},
	flow.BtnB:    {"B", navy, white},
	flow.BtnC:    {"C", navy, white},
	flow.BtnD:    {"D", navy, white},
	flow.BtnOK:   {"OK", good, white},
	flow.BtnBack: {"←", muted, white},
}

// actionKey is the kiosk text that names what a button does.
var actionKey = map[flow.Action]string{
	flow.ActWake: "btnStart", flow.ActDismiss: "btnHere", flow.ActPrevTile: "btnPrev", flow.ActNextTile: "btnNextTile",
	flow.ActOpen: "btnOpen", flow.ActFinish: "finish", flow.ActChoose: "btnChoose", flow.ActPick: "btnPick",
	flow.ActUndo: "undo", flow.ActCheck: "btnCheck", flow.ActSubmit: "confirm", flow.ActNext: "next",
	flow.ActBack: "back", flow.ActHome: "home", flow.ActRate: "btnRate", flow.ActSkip: "btnSkip", flow.ActAttract: "btnDone",
	flow.ActLeft: "btnMove", flow.ActRight: "btnMove", flow.ActUp: "btnMove", flow.ActDown: "btnMove",
}

// arrows are the hotspot moves, drawn next to their button.
var arrows = map[flow.Action]string{flow.ActLeft: "←", flow.ActRight: "→", flow.ActUp: "↑", flow.ActDown: "↓"}

// legendEntry is one chip of the legend: the buttons that do one thing and
// what that thing is.
type legendEntry struct {
	buttons []string
	text    string
}

// legendEntries groups st.Buttons by what they do, in button order: A–D
// choosing options become one "A B C D choose" chip; the hotspot moves one
// "A← B→ C↑ D↓ move the box" chip.
func legendEntries(st flow.State, lang string) []legendEntry {
	var out []legendEntry
	for _, h := range st.Buttons {
		key := actionKey[h.Action]
		text := msg(lang, key)
		if h.Action == flow.ActLang {
			text = langName(h.Lang)
		}
		if key == "" && h.Action != flow.ActLang {
			continue
		}
		b := h.Button
		if a, ok := arrows[h.Action]; ok {
			b += a
		}
		if n := len(out); n > 0 && out[n-1].text == text && h.Action != flow.ActLang {
			out[n-1].buttons = append(out[n-1].buttons, b)
			continue
		}
		out = append(out, legendEntry{[]string{b}, text})
	}
	return out
}

// legend draws what each physical button does on this screen, from the
// machine's own table (State.Buttons): what a press does is what it says.
// Chips that do not fit on one line wrap to the next; the legend is
// legendLines(v) lines high.
func (u *UI) legend(v *view) fyne.CanvasObject {
	chips, widths := u.legendChips(v)
	lines := wrapChips(widths, v.size.Width-2*v.px(margin), v.px(14))
	var rows []fyne.CanvasObject
	for _, ln := range lines {
		var objs []fyne.CanvasObject
		var spec []float32
		for _, i := range ln {
			objs = append(objs, chips[i])
			spec = append(spec, widths[i])
		}
		objs = append(objs, canvas.NewRectangle(color.Transparent))
		spec = append(spec, -1)
		rows = append(rows, row(v.px(14), spec, objs...))
	}
	return stack(canvas.NewRectangle(dimCard), padXY(v.px(margin), v.px(2), col(v.px(4), nil, rows...)))
}

// legendHeight is the legend's height on this screen.
func (u *UI) legendHeight(v *view) float32 {
	_, widths := u.legendChips(v)
	n := len(wrapChips(widths, v.size.Width-2*v.px(margin), v.px(14)))
	return float32(n)*v.px(legendH) + float32(n-1)*v.px(4)
}

// wrapChips puts chips of the given widths on lines no wider than w.
func wrapChips(widths []float32, w, gap float32) [][]int {
	var lines [][]int
	var cur []int
	x := float32(0)
	for i, cw := range widths {
		if len(cur) > 0 && x+gap+cw > w {
			lines = append(lines, cur)
			cur, x = nil, 0
		}
		if len(cur) > 0 {
			x += gap
		}
		cur = append(cur, i)
		x += cw
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

// legendChips are the legend's chips and their widths.
func (u *UI) legendChips(v *view) ([]fyne.CanvasObject, []float32) {
	var chips []fyne.CanvasObject
	var spec []float32
	h := v.px(legendH - 4)
	for _, e := range legendEntries(v.st, v.lang) {
		var parts []fyne.CanvasObject
		var ps []float32
		for _, b := range e.buttons {
			name, arrow := b, ""
			if i := strings.IndexAny(b, "←→↑↓"); i > 0 {
				name, arrow = b[:i], b[i:]
			}
			look := buttonLook[name]
			w := h
			if len(look.label) > 1 {
				w = h * 1.5
			}
			cap := stack(canvas.NewRectangle(look.bg), v.centred(look.label, 20, 20, look.fg, true))
			cap.Objects[0].(*canvas.Rectangle).CornerRadius = h / 2
			parts = append(parts, cap)
			ps = append(ps, w)
			if arrow != "" {
				parts = append(parts, v.centred(arrow, 20, 20, ink, true))
				ps = append(ps, v.px(20))
			}
		}
		t := v.label(e.text, 20, 20, ink, false, fyne.TextAlignLeading)
		t.middle = true
		tw := fyne.MeasureText(e.text, t.size, fyne.TextStyle{}).Width + v.px(4)
		parts = append(parts, t)
		ps = append(ps, tw)
		var total float32
		for _, p := range ps {
			total += p
		}
		total += v.px(4) * float32(len(ps)-1)
		chips = append(chips, row(v.px(4), ps, parts...))
		spec = append(spec, total)
	}
	return chips, spec
}

// hasLegend reports whether the screen gets the legend: the room has
// physical buttons and they do something here.
func (u *UI) hasLegend(v *view) bool {
	return u.opts.Buttons && len(legendEntries(v.st, v.lang)) > 0
}
