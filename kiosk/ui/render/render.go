// Package render draws every screen of a content pack to PNG files with the
// kiosk's own screens (kiosk/ui) and reports what does not fit the window,
// so pack authors see their pack at every screen size without a kiosk.
//
// It draws with Fyne's test driver and software painter: no display, no
// cgo. That driver is why this is its own package: the kiosk itself
// (wufang-kiosk) never links it. Command is the wufang-render program.
package render

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
	"github.com/wufang-kiosk/wufang/kiosk/ui"
)

// stopped is a clock whose timers never fire: a rendered screen stays put.
type stopped struct{}

func (stopped) Now() time.Time                             { return time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC) }
func (stopped) AfterFunc(time.Duration, func()) flow.Timer { return stoppedTimer{} }

type stoppedTimer struct{}

func (stoppedTimer) Stop() bool { return true }

// Options configure Render. The zero value draws pictures as the kiosk does.
type Options struct {
	// RasterCap and Rasters are passed to the UI (ui.Options): a smaller
	// cap draws SVG pictures faster, and a shared cache lets several
	// renders of one pack draw each picture once.
	RasterCap float32
	Rasters   *ui.Rasters
}

// Render draws every screen of pack p (ui.Shots) at size in lang into outDir
// as PNG files, plus contact.png (all of them as thumbnails) and index.txt,
// and returns the screens whose content does not fit. It uses Fyne's test
// driver and software painter, so it needs no display and no cgo. The
// current Fyne app is used when there is one (a test's); otherwise a test
// app with the kiosk theme is made.
func Render(p *content.Pack, fsys fs.FS, size fyne.Size, lang string, outDir string, opts Options) ([]ui.Misfit, error) {
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
	// With the button legend: the default room has the buttons, and the
	// legend takes room from every screen.
	u := ui.New(m, ui.Options{FS: fsys, Hours: []string{"周一至周五 Mon–Fri  09:00–17:30", "周六、周日 Sat–Sun  10:00–17:00"},
		RasterCap: opts.RasterCap, Rasters: opts.Rasters, Buttons: true})
	w := test.NewWindow(nil)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(size)
	w.SetContent(u.Content())
	w.Resize(size)

	var misfits []ui.Misfit
	var thumbs []image.Image
	var index strings.Builder
	for _, sh := range ui.Shots(p, lang) {
		sh.State.Buttons = m.HintsFor(sh.State)
		u.Show(sh.State)
		if got := w.Canvas().Size(); got != size {
			misfits = append(misfits, ui.Misfit{Screen: sh.Name, Kind: "too big", Detail: fmt.Sprintf("the window grew to %v", got)})
			w.Resize(size)
		}
		misfits = append(misfits, u.Fit(sh.Name, size)...)
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
	for y := range h {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		for x := range w {
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

// Command is `wufang-render PACK --size 800x480 --lang zh-CN --out DIR`:
// it loads the pack (a folder or a .wfpack), draws every screen with
// Render and prints the misfits. It returns the exit code: 0 when
// everything fits, 1 on misfits, 2 on a usage or load error.
func Command(args []string, stdout, stderr io.Writer) int {
	return command(args, stdout, stderr, Options{})
}

func command(args []string, stdout, stderr io.Writer, opts Options) int {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	sizeF := fl.String("size", "800x480", "window size WIDTHxHEIGHT")
	lang := fl.String("lang", "", "language (default: the pack's first)")
	out := fl.String("out", "render", "folder for the PNG files")
	usage := func(w io.Writer) {
		fmt.Fprint(w, `usage: render PACK [--size 800x480] [--lang zh-CN] [--out DIR]

Draws every screen of PACK (a pack folder or a .wfpack) with the kiosk's own
screens to PNG files, with a contact sheet, and lists what does not fit.
  --size WxH   window size (default 800x480)
  --lang L     language (default: the pack's first)
  --out DIR    folder for the PNG files (default render)
Exit status: 0 when everything fits, 1 on misfits, 2 on a usage or load error.
`)
	}
	// PACK may come before or after the flags.
	var pos []string
	rest := args
	for len(rest) > 0 {
		if err := fl.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) { // --help: the usage is what was asked for
				usage(stdout)
				return 0
			}
			fmt.Fprintln(stderr, "render:", err)
			usage(stderr)
			return 2
		}
		rest = fl.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	if len(pos) != 1 {
		usage(stderr)
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
	misfits, err := Render(p, fsys, size, l, *out, opts)
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
