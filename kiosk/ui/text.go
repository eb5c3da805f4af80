package ui

import (
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// textBlock is wrapped text that fits its box: it wraps where UAX #14
// allows (at spaces, between CJK characters), shrinks its font from size
// down to min until every line fits, and, when paginate is set, splits what
// still does not fit into pages instead of clipping. A block that cannot fit even so sets overflow,
// which the fit check reports. Nothing in the kiosk scrolls.
type textBlock struct {
	widget.BaseWidget

	text      string
	size, min float32
	color     color.Color
	bold      bool
	align     fyne.TextAlign
	middle    bool // centre vertically
	paginate  bool
	cut       bool // what does not fit at the floor is cut off with "…" (secondary text only)

	page     int
	pages    int
	overflow bool
	used     float32        // font size chosen by the last layout
	own      float32        // the size it would fit at alone (used is the group's)
	group    *sizeGroup     // texts that share one size (the options of a question)
	onPages  func(int, int) // page, pages: called after a layout that paginated
}

// sizeGroup makes texts of one kind side by side (the options of a
// question, the tiles' titles) use one font size: the smallest any of them
// needs, so no option looks more important for being shorter.
type sizeGroup struct {
	members []*textBlock
	busy    bool
}

func (g *sizeGroup) add(ts ...*textBlock) {
	for _, t := range ts {
		t.group = g
		g.members = append(g.members, t)
	}
}

// size is the smallest size a laid-out member fits at.
func (g *sizeGroup) size() float32 {
	s := float32(0)
	for _, m := range g.members {
		if m.own > 0 && (s == 0 || m.own < s) {
			s = m.own
		}
	}
	return s
}

func newText(s string, size, min float32, c color.Color) *textBlock {
	t := &textBlock{text: s, size: size, min: min, color: c, pages: 1}
	t.ExtendBaseWidget(t)
	return t
}

func (t *textBlock) CreateRenderer() fyne.WidgetRenderer {
	return &textRenderer{t: t}
}

// next shows the next page; it reports false on the last page.
func (t *textBlock) next() bool {
	if !t.more() {
		return false
	}
	t.page++
	t.Refresh()
	return true
}

// more reports whether a page follows the one shown.
func (t *textBlock) more() bool { return t.page+1 < t.pages }

type textRenderer struct {
	t     *textBlock
	lines []fyne.CanvasObject
	size  fyne.Size
}

func (r *textRenderer) Destroy() {}

func (r *textRenderer) Objects() []fyne.CanvasObject { return r.lines }

// MinSize is deliberately small: a text block takes the room its layout
// gives it and reports overflow itself, so it never pushes a screen past
// the window.
func (r *textRenderer) MinSize() fyne.Size {
	return fyne.NewSize(r.t.min, r.t.min*lineFactor)
}

func (r *textRenderer) Refresh() { r.Layout(r.size) }

const lineFactor = 1.3

func (r *textRenderer) Layout(size fyne.Size) {
	r.size = size
	t := r.t
	style := fyne.TextStyle{Bold: t.bold}
	if size.Width <= 0 || size.Height <= 0 {
		r.lines = nil
		return
	}
	fs := t.size
	var lines []string
	for {
		var broke bool
		lines, broke = wrapText(t.text, fs, style, size.Width)
		// A word broken in two reads badly: shrink rather than break, unless
		// already at the smallest size.
		if (!broke && float32(len(lines))*fs*lineFactor <= size.Height+0.5) || fs <= t.min {
			break
		}
		fs -= max(1, fs/16)
		if fs < t.min {
			fs = t.min
		}
	}
	t.own = fs
	if g := t.group; g != nil {
		if gs := g.size(); gs < fs {
			fs = gs
			lines, _ = wrapText(t.text, fs, style, size.Width)
		}
		// A member that fits only smaller shrinks the ones laid out before.
		if !g.busy {
			g.busy = true
			for _, m := range g.members {
				if m != t && m.own > 0 && m.used != fs {
					m.Refresh()
				}
			}
			g.busy = false
		}
	}
	t.used = fs
	lh := fs * lineFactor
	perPage := max(1, int((size.Height+0.5)/lh))
	t.overflow = false
	t.pages = 1
	if len(lines) > perPage {
		switch {
		case t.paginate:
			t.pages = (len(lines) + perPage - 1) / perPage
		case t.cut:
			lines = lines[:perPage]
			last := []rune(lines[perPage-1])
			for len(last) > 0 && fyne.MeasureText(string(last)+"…", fs, style).Width > size.Width {
				last = last[:len(last)-1]
			}
			lines[perPage-1] = strings.TrimRight(string(last), " ") + "…"
		default:
			t.overflow = true
		}
	}
	if t.page >= t.pages {
		t.page = t.pages - 1
	}
	if t.paginate {
		lines = lines[t.page*perPage : min(len(lines), (t.page+1)*perPage)]
	}
	y := float32(0)
	if t.middle && float32(len(lines))*lh < size.Height {
		y = (size.Height - float32(len(lines))*lh) / 2
	}
	r.lines = r.lines[:0]
	for _, l := range lines {
		ct := canvas.NewText(l, t.color)
		ct.TextSize = fs
		ct.TextStyle = style
		ms := fyne.MeasureText(l, fs, style)
		w := ms.Width
		x := float32(0)
		switch t.align {
		case fyne.TextAlignCenter:
			x = (size.Width - w) / 2
		case fyne.TextAlignTrailing:
			x = size.Width - w
		}
		move(ct, fyne.NewPos(x, y+(lh-ms.Height)/2))
		ct.Resize(ms)
		r.lines = append(r.lines, ct)
		y += lh
	}
	if t.onPages != nil {
		t.onPages(t.page, t.pages)
	}
}

// wrapText breaks s into lines no wider than width at the given font size:
// at the break opportunities tokens finds (spaces and hyphens in Latin text,
// between CJK characters but never before closing or after opening
// punctuation), and inside a word only when the word alone is wider than
// the line.
func wrapText(s string, size float32, style fyne.TextStyle, width float32) (out []string, broke bool) {
	space := fyne.MeasureText(" ", size, style).Width
	for para := range strings.SplitSeq(s, "\n") {
		toks := tokens(para)
		var line strings.Builder
		lw := float32(0)
		flush := func() {
			out = append(out, strings.TrimRight(line.String(), " "))
			line.Reset()
			lw = 0
		}
		for _, tok := range toks {
			// A token is measured once, without its trailing spaces (they
			// may hang past the edge); each of them then adds a space's
			// width. Fyne shapes every string it has not measured in the
			// last minute anew, and measuring was nine in ten of the
			// strings the attract loop shaped.
			word := strings.TrimRight(tok, " ")
			tw := fyne.MeasureText(word, size, style).Width
			if lw > 0 && lw+tw > width {
				flush()
				if t := strings.TrimLeft(tok, " "); len(t) != len(tok) {
					tok, word = t, strings.TrimRight(t, " ")
					tw = fyne.MeasureText(word, size, style).Width
				}
			}
			if tw > width { // a word wider than the line: break it by runes
				broke = broke || !isCJK([]rune(tok)[0])
				for _, rr := range tok {
					cw := fyne.MeasureText(string(rr), size, style).Width
					if lw > 0 && lw+cw > width {
						flush()
					}
					line.WriteRune(rr)
					lw += cw
				}
				continue
			}
			line.WriteString(tok)
			lw += tw + float32(len(tok)-len(word))*space
		}
		if line.Len() > 0 || len(toks) == 0 {
			flush()
		}
	}
	return out, broke
}

// tokens splits a paragraph into unbreakable pieces at the line break
// opportunities of UAX #14, found by go-text's segmenter (the one Fyne wraps
// its own text with): a Latin word with its trailing spaces, or one CJK
// character with the punctuation that must not end or start a line beside
// it. One tailoring: the segmenter follows Unicode 14, whose LB19 never
// breaks beside a quotation mark, and so glues “ to the Chinese text before
// it (说：“没); Unicode 15.1's LB19a allows that break when East Asian
// characters stand on both sides, and so does tokens.
func tokens(s string) []string {
	rs := []rune(s)
	if len(rs) == 0 {
		return nil
	}
	var seg segmenter.Segmenter
	seg.Init(rs)
	var toks []string
	for it := seg.LineIterator(); it.Next(); {
		l := it.Line().Text
		start := 0
		for i := 1; i < len(l); i++ {
			before := i+1 < len(l) && unicode.Is(unicode.Pi, l[i]) && isCJK(l[i-1]) && isCJK(l[i+1])
			after := i >= 2 && unicode.Is(unicode.Pf, l[i-1]) && isCJK(l[i-2]) && isCJK(l[i]) && unicode.IsLetter(l[i])
			if before || after {
				toks = append(toks, string(l[start:i]))
				start = i
			}
		}
		toks = append(toks, string(l[start:]))
	}
	return toks
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}
