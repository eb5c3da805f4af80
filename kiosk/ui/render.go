package ui

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

// Misfit is a screen whose content does not fit the window.
type Misfit struct {
	Screen string // the PNG's name without .png
	Kind   string // "clipped text", "small touch target", "outside window", "too big"
	Detail string
}

func (m Misfit) String() string { return m.Screen + ": " + m.Kind + ": " + m.Detail }

// Shot is one screen to draw: a name and the state that shows it.
type Shot struct {
	Name  string
	State flow.State
}

// Shots lists every screen of pack p in language lang: every attract
// slide, home, every step unanswered and answered, every scenario
// situation before and after each choice and every outcome, each module's
// result, feedback, thanks, closed and the "Still there?" overlay.
func Shots(p *content.Pack, lang string) []Shot {
	var out []Shot
	seq := uint64(0)
	add := func(name string, s flow.State) {
		seq++
		s.Seq = seq
		s.Lang = lang
		out = append(out, Shot{Name: fmt.Sprintf("%03d-%s", len(out)+1, name), State: s})
	}
	base := flow.State{Module: -1, Branch: -1}
	slides := max(1, len(p.Attract))
	for i := 0; i < slides; i++ {
		s := base
		s.Screen, s.Slide = flow.Attract, i
		add(fmt.Sprintf("attract-%d", i+1), s)
	}
	done := make([]bool, len(p.Mods))
	s := base
	s.Screen, s.InSession, s.Done = flow.Home, true, done
	add("home", s)
	if len(done) > 0 {
		d := make([]bool, len(done))
		d[0] = true
		s.Done = d
		add("home-done", s)
	}
	for mi, m := range p.Mods {
		for si, st := range m.Steps {
			b := flow.State{Screen: flow.Step, Module: mi, StepIdx: si, StepType: st.Type, Branch: -1, InSession: true, Done: done}
			name := fmt.Sprintf("%s-%02d-%s", m.ID, si+1, st.Type)
			switch st.Type {
			case content.Lesson:
				add(name, b)
			case content.Choice:
				nRight := 0
				wrong := -1
				for i, o := range st.Options {
					if o.Correct {
						nRight++
					} else if wrong < 0 {
						wrong = i
					}
				}
				b.Multi = nRight > 1
				add(name, b)
				if b.Multi {
					s := b
					s.Selected = []int{0}
					add(name+"-selected", s)
				}
				s := b
				s.Answered = true
				if wrong >= 0 {
					s.Selected = []int{wrong}
				}
				add(name+"-answered", s)
			case content.Order:
				n := len(st.Items)
				shuffle := make([]int, n)
				for i := range shuffle {
					shuffle[i] = n - 1 - i
				}
				b.Shuffle = shuffle
				add(name, b)
				s := b
				s.Picked = []int{n - 1, 0}[:min(2, n)]
				add(name+"-picking", s)
				s = b
				s.Answered = true
				s.Picked = make([]int, n)
				for i := range s.Picked {
					s.Picked[i] = i // display order, reversed: wrong except the middle
				}
				add(name+"-answered", s)
			case content.Hotspot:
				b.Found = make([]bool, len(st.Targets))
				add(name, b)
				if len(st.Targets) > 0 {
					s := b
					s.Found = make([]bool, len(st.Targets))
					s.Found[0] = true
					s.LastTap = &[2]float64{0.5, 0.5}
					s.Misses = 1
					add(name+"-found", s)
				}
				for di := range st.Decoys {
					s := b
					s.Decoy = di + 1
					add(fmt.Sprintf("%s-decoy-%d", name, di+1), s)
				}
				s := b
				s.Answered, s.Revealed = true, true
				s.Found = make([]bool, len(st.Targets))
				if len(s.Found) > 0 {
					s.Found[0] = true
				}
				add(name+"-answered", s)
			case content.Scenario:
				if len(st.Title) > 0 || len(st.Prompt) > 0 {
					s := b
					s.Situation, s.Intro = st.Start, true
					add(name+"-intro", s)
				}
				for _, sit := range st.Situations {
					s := b
					s.Situation = sit.ID
					add(name+"-"+sit.ID, s)
					for bi := range sit.Choices {
						s := s
						s.Branch = bi
						add(fmt.Sprintf("%s-%s-%c", name, sit.ID, 'a'+bi), s)
					}
				}
				for _, o := range st.Outcomes {
					s := b
					s.Answered, s.Correct = true, o.Good
					s.Outcome = o.ID
					add(name+"-outcome-"+o.ID, s)
				}
			default:
				add(name, b)
			}
		}
		r := flow.State{Screen: flow.Result, Module: mi, Branch: -1, InSession: true, Done: done,
			Right: 3, Questions: 4, Passed: true, Stars: 2, VisitorToday: 128}
		add(m.ID+"-result", r)
	}
	s = base
	s.Screen, s.InSession = flow.Feedback, true
	add("feedback", s)
	s = base
	s.Screen = flow.Thanks
	add("thanks", s)
	s = base
	s.Screen = flow.Closed
	add("closed", s)
	if len(p.Mods) > 0 && len(p.Mods[0].Steps) > 0 {
		s := flow.State{Screen: flow.Step, Module: 0, StepType: p.Mods[0].Steps[0].Type, Branch: -1,
			InSession: true, StillThere: true, Countdown: 7, Done: done}
		if s.StepType == content.Scenario {
			s.Situation = p.Mods[0].Steps[0].Start
		}
		add("still-there", s)
	}
	return out
}

// stopped is a clock whose timers never fire: a rendered screen stays put.
type stopped struct{}

func (stopped) Now() time.Time                             { return time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC) }
func (stopped) AfterFunc(time.Duration, func()) flow.Timer { return stoppedTimer{} }

type stoppedTimer struct{}

func (stoppedTimer) Stop() bool { return true }

// Render draws every screen of pack p (Shots) at size in lang into outDir
// as PNG files, plus contact.png (all of them as thumbnails) and index.txt,
// and returns the screens whose content does not fit. It uses Fyne's test
// driver and software painter, so it needs no display and no cgo. The
// current Fyne app is used when there is one (a test's); otherwise a test
// app with the kiosk theme is made.
func Render(p *content.Pack, fsys fs.FS, size fyne.Size, lang string, outDir string) ([]Misfit, error) {
	if p == nil {
		return nil, errors.New("render: no pack")
	}
	if fyne.CurrentApp() == nil {
		a := test.NewApp()
		a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	}
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	}
	m := flow.New(p, flow.Options{Clock: stopped{}})
	defer m.Close()
	u := New(m, Options{FS: fsys, Hours: []string{"周一至周五 Mon–Fri  09:00–17:30", "周六、周日 Sat–Sun  10:00–17:00"}})
	w := test.NewWindow(nil)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(size)
	w.SetContent(u.host)
	w.Resize(size)
	u.win = w

	var misfits []Misfit
	var thumbs []image.Image
	var index strings.Builder
	for _, sh := range Shots(p, lang) {
		u.show(sh.State)
		if got := w.Canvas().Size(); got != size {
			misfits = append(misfits, Misfit{sh.Name, "too big", fmt.Sprintf("the window grew to %v", got)})
			w.Resize(size)
		}
		misfits = append(misfits, u.fit(sh.Name, size)...)
		if outDir != "" {
			img := w.Canvas().Capture()
			if err := writePNG(filepath.Join(outDir, sh.Name+".png"), img); err != nil {
				return misfits, err
			}
			thumbs = append(thumbs, img)
			fmt.Fprintf(&index, "%d\t%s\n", len(thumbs), sh.Name)
		}
	}
	if outDir != "" {
		if err := writePNG(filepath.Join(outDir, "contact.png"), contactSheet(thumbs, 4, 360)); err != nil {
			return misfits, err
		}
		if err := os.WriteFile(filepath.Join(outDir, "index.txt"), []byte(index.String()), 0o644); err != nil {
			return misfits, fmt.Errorf("render: %w", err)
		}
	}
	return misfits, nil
}

// fit walks the shown screen and reports what does not fit: text that
// could not be fitted, touch targets below 56 px at 800×480 (scaled), and
// anything reaching outside the window.
func (u *UI) fit(name string, size fyne.Size) []Misfit {
	var out []Misfit
	v := u.view(size)
	minT := v.px(minTouch) - 0.5 // v.s >= 1: never under 56 px
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		p := at.Add(o.Position())
		s := o.Size()
		if p.X < -0.5 || p.Y < -0.5 || p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5 {
			out = append(out, Misfit{name, "outside window", fmt.Sprintf("%T at %v size %v", o, p, s)})
		}
		switch t := o.(type) {
		case *textBlock:
			if t.overflow {
				out = append(out, Misfit{name, "clipped text", fmt.Sprintf("%q does not fit %v even at %.0f px", short(t.text), s, t.min)})
			}
			return
		case *tapBox:
			if (t.onTap != nil || t.onTapAt != nil) && min(s.Width, s.Height) < minT {
				out = append(out, Misfit{name, "small touch target", fmt.Sprintf("%v, under %.0f px", s, minT+0.5)})
			}
		}
		for _, c := range children(o) {
			walk(c, p)
		}
	}
	walk(u.host, fyne.NewPos(0, 0))
	return out
}

func short(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func writePNG(name string, img image.Image) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("render: %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return nil
}

// contactSheet puts the screens side by side, cols to a row, each scaled
// to width tw (box filter).
func contactSheet(imgs []image.Image, cols, tw int) image.Image {
	if len(imgs) == 0 {
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	b0 := imgs[0].Bounds()
	th := tw * b0.Dy() / max(1, b0.Dx())
	const gapPx = 8
	rows := (len(imgs) + cols - 1) / cols
	sheet := image.NewNRGBA(image.Rect(0, 0, cols*(tw+gapPx)+gapPx, rows*(th+gapPx)+gapPx))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.NRGBA{0x30, 0x30, 0x30, 0xff}), image.Point{}, draw.Src)
	for i, img := range imgs {
		x := gapPx + (i%cols)*(tw+gapPx)
		y := gapPx + (i/cols)*(th+gapPx)
		t := scaleDown(img, tw, th)
		draw.Draw(sheet, image.Rect(x, y, x+tw, y+th), t, image.Point{}, draw.Src)
	}
	return sheet
}

func scaleDown(src image.Image, w, h int) image.Image {
	b := src.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		for x := 0; x < w; x++ {
			x0, x1 := b.Min.X+x*b.Dx()/w, b.Min.X+(x+1)*b.Dx()/w
			var r, g, bb, a, n uint32
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					cr, cg, cb, ca := src.At(sx, sy).RGBA()
					r, g, bb, a, n = r+cr, g+cg, bb+cb, a+ca, n+1
				}
			}
			dst.Set(x, y, color.RGBA64{uint16(r / n), uint16(g / n), uint16(bb / n), uint16(a / n)})
		}
	}
	return dst
}

// RenderCommand is `render PACK --size 800x480 --lang zh-CN --out DIR`:
// it loads the pack (a folder or a .wfpack), draws every screen with
// Render and prints the misfits. It returns the exit code: 0 when
// everything fits, 1 on misfits, 2 on a usage or load error.
func RenderCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	fl.SetOutput(stderr)
	sizeF := fl.String("size", "800x480", "window size WIDTHxHEIGHT")
	lang := fl.String("lang", "", "language (default: the pack's first)")
	out := fl.String("out", "render", "folder for the PNG files")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: render PACK [--size 800x480] [--lang zh-CN] [--out DIR]")
		fl.PrintDefaults()
	}
	// PACK may come before or after the flags.
	var pos []string
	rest := args
	for len(rest) > 0 {
		if err := fl.Parse(rest); err != nil {
			return 2
		}
		rest = fl.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	if len(pos) != 1 {
		fl.Usage()
		return 2
	}
	size, err := parseSize(*sizeF)
	if err != nil {
		fmt.Fprintln(stderr, "render:", err)
		return 2
	}
	fsys, err := openPack(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "render:", err)
		return 2
	}
	p, err := content.Load(fsys)
	if err != nil {
		fmt.Fprintln(stderr, "render:", err)
		return 2
	}
	l := *lang
	if l == "" && len(p.Languages) > 0 {
		l = p.Languages[0]
	}
	misfits, err := Render(p, fsys, size, l, *out)
	if err != nil {
		fmt.Fprintln(stderr, "render:", err)
		return 2
	}
	fmt.Fprintf(stdout, "rendered %s at %vx%v in %s to %s (contact sheet: contact.png)\n",
		p.ID, size.Width, size.Height, l, *out)
	if len(misfits) > 0 {
		fmt.Fprintf(stdout, "%d screens do not fit:\n", len(misfits))
		for _, m := range misfits {
			fmt.Fprintln(stdout, " ", m)
		}
		return 1
	}
	fmt.Fprintln(stdout, "everything fits")
	return 0
}

func parseSize(s string) (fyne.Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return fyne.Size{}, fmt.Errorf("size %q: want WIDTHxHEIGHT, like 800x480", s)
	}
	wi, err1 := strconv.Atoi(w)
	hi, err2 := strconv.Atoi(h)
	if err1 != nil || err2 != nil || wi < 200 || hi < 200 || wi > 8000 || hi > 8000 {
		return fyne.Size{}, fmt.Errorf("size %q: want WIDTHxHEIGHT between 200 and 8000, like 800x480", s)
	}
	return fyne.NewSize(float32(wi), float32(hi)), nil
}

func openPack(path string) (fs.FS, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open pack: %w", err)
	}
	if st.IsDir() {
		return os.DirFS(path), nil
	}
	w, err := content.OpenWfpack(path)
	if err != nil {
		return nil, err
	}
	return w.FS, nil
}

func fmtSize(s fyne.Size) string { return fmt.Sprintf("%vx%v", s.Width, s.Height) }
