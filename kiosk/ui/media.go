package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"image"
	"image/draw"
	_ "image/jpeg" // pack media formats
	_ "image/png"
	"io/fs"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// media loads a pack's pictures once and keeps them, with their aspect
// ratio (width / height), which the hotspot screen needs to map a tap to
// fractions of the picture.
type media struct {
	fsys    fs.FS
	load    func(string) fyne.Resource
	log     *slog.Logger
	cap     float32  // longest side of a rasterised SVG (Options.RasterCap)
	rasters *Rasters // drawn pictures by content, kept across packs

	mu    sync.Mutex
	cache map[string]*asset
}

type asset struct {
	res    fyne.Resource
	aspect float32
	svg    bool
	sum    [sha256.Size]byte

	mu sync.Mutex  // held while drawing px: one picture waits, not all
	px image.Image // decoded or rasterised; nil until needed

	// shown draws shownPx; kept from screen to screen (see UI.image). Used
	// on the Fyne goroutine only.
	shown   *canvas.Raster
	shownPx image.Image
}

func (m *media) get(p string) *asset {
	if p == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.cache[p]; ok {
		return a
	}
	var res fyne.Resource
	switch {
	case m.load != nil:
		res = m.load(p)
	case m.fsys != nil:
		if b, err := content.Media(m.fsys, p); err == nil {
			res = fyne.NewStaticResource(p, b)
		} else if m.log != nil {
			m.log.Warn("ui: picture not shown", "path", p, "err", err)
		}
	}
	var a *asset
	if res != nil {
		a = &asset{res: res, aspect: aspectOf(res), svg: strings.HasSuffix(strings.ToLower(res.Name()), ".svg"),
			sum: sha256.Sum256(res.Content())}
	}
	if m.cache == nil {
		m.cache = map[string]*asset{}
	}
	m.cache[p] = a
	return a
}

func (m *media) reset(fsys fs.FS) {
	m.mu.Lock()
	m.fsys = fsys
	m.cache = nil
	m.mu.Unlock()
}

var (
	viewBoxRE = regexp.MustCompile(`viewBox\s*=\s*["']\s*([-\d.eE]+)[\s,]+([-\d.eE]+)[\s,]+([-\d.eE]+)[\s,]+([-\d.eE]+)`)
	svgWRE    = regexp.MustCompile(`<svg[^>]*\swidth\s*=\s*["']([\d.]+)`)
	svgHRE    = regexp.MustCompile(`<svg[^>]*\sheight\s*=\s*["']([\d.]+)`)
)

// aspectOf reads a picture's width/height; 4:3 when it cannot tell.
func aspectOf(res fyne.Resource) float32 {
	b := res.Content()
	if strings.HasSuffix(strings.ToLower(res.Name()), ".svg") {
		if m := viewBoxRE.FindSubmatch(b); m != nil {
			w, _ := strconv.ParseFloat(string(m[3]), 32)
			h, _ := strconv.ParseFloat(string(m[4]), 32)
			if w > 0 && h > 0 {
				return float32(w / h)
			}
		}
		mw, mh := svgWRE.FindSubmatch(b), svgHRE.FindSubmatch(b)
		if mw != nil && mh != nil {
			w, _ := strconv.ParseFloat(string(mw[1]), 32)
			h, _ := strconv.ParseFloat(string(mh[1]), 32)
			if w > 0 && h > 0 {
				return float32(w / h)
			}
		}
		return 4.0 / 3
	}
	if c, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil && c.Height > 0 {
		return float32(c.Width) / float32(c.Height)
	}
	return 4.0 / 3
}

// picture is a pack image scaled to fit its box, keeping its proportions,
// or nothing when the pack has no such file.
func (u *UI) picture(p string) fyne.CanvasObject {
	img, aspect := u.image(p)
	if img == nil {
		return nil
	}
	return &fyne.Container{Layout: fitPicture{aspect}, Objects: []fyne.CanvasObject{img}}
}

// fitPicture lays its child out as large as fits with the picture's
// proportions, centred, hiding it when the area is too small to draw in
// (the software painter cannot draw an empty image).
type fitPicture struct{ aspect float32 }

func (fitPicture) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }
func (f fitPicture) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	pos, size := fitAspect(s, f.aspect)
	for _, o := range objs {
		move(o, pos)
		o.Resize(size)
		if size.Width < 2 || size.Height < 2 {
			o.Hide()
		} else {
			o.Show()
		}
	}
}

// image returns media path p as a picture stretched over its bounds, and
// its proportions (width / height); nil when it cannot be shown. The
// picture is decoded or, for SVG, rasterised once for the window size and
// kept; the painter scales it to the screen.
//
// It is a canvas.Raster handing out the kept bitmap, not a canvas.Image:
// Fyne refreshes an Image when it first reaches a canvas, which costs a
// second full repaint of the screen, and scales it on the CPU at each
// texture upload. The object is kept too and shown again by later screens
// (an attract slide comes round every minute or so), with its texture while
// Fyne's cache holds it: a slide change is one frame. A picture shown twice
// on one screen gets a new object for the second place.
func (u *UI) image(p string) (fyne.CanvasObject, float32) {
	a := u.media.get(p)
	if a == nil {
		return nil, 0
	}
	px := u.media.pixels(a, u.buildSize)
	if px == nil {
		return nil, 0
	}
	aspect := float32(px.Bounds().Dx()) / float32(px.Bounds().Dy())
	if r := a.shown; r != nil && a.shownPx == px && !u.placed[r] {
		u.place(r)
		return r, aspect
	}
	r := &canvas.Raster{
		Generator: func(int, int) image.Image { return px },
		// The bitmap is already near display size; GL filters the rest.
		ScaleMode: canvas.ImageScaleFastest,
	}
	if a.shown == nil || a.shownPx != px {
		a.shown, a.shownPx = r, px
	}
	u.place(r)
	return r, aspect
}

// place notes that r is on the screen being built.
func (u *UI) place(r *canvas.Raster) {
	if u.placed == nil {
		u.placed = map[*canvas.Raster]bool{}
	}
	u.placed[r] = true
}

// pixels returns a's picture as a bitmap big enough for a window of size
// win, decoding or rasterising it when there is none that big yet. Safe
// from any goroutine (Warm draws the attract pictures on its own).
func (m *media) pixels(a *asset, win fyne.Size) image.Image {
	want := rasterSize(win, a.aspect, m.cap)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.px != nil && (!a.svg || bigEnough(a.px, want)) {
		return a.px
	}
	key := rasterKey{sum: a.sum, w: int(want.Width), h: int(want.Height)}
	if px := m.rasters.get(key); px != nil {
		a.px = px
		return px
	}
	var px image.Image
	var err error
	if a.svg {
		px, err = rasterSVG(a.res.Content(), int(want.Width), int(want.Height))
	} else {
		px, _, err = image.Decode(bytes.NewReader(a.res.Content()))
	}
	if err != nil {
		if m.log != nil {
			m.log.Warn("ui: picture could not be drawn", "path", a.res.Name(), "err", err)
		}
		return a.px // a smaller one, if any
	}
	// GL uploads an *image.RGBA as it is; anything else it converts at
	// every texture upload.
	if _, ok := px.(*image.RGBA); !ok {
		rgba := image.NewRGBA(image.Rect(0, 0, px.Bounds().Dx(), px.Bounds().Dy()))
		draw.Draw(rgba, rgba.Rect, px, px.Bounds().Min, draw.Src)
		px = rgba
	}
	a.px = px
	m.rasters.put(key, px)
	return px
}

// bigEnough reports whether px is at least about as large as want: a
// picture drawn for a smaller window (the first build, a window that grew)
// is drawn again rather than scaled up blurred.
func bigEnough(px image.Image, want fyne.Size) bool {
	b := px.Bounds()
	return float32(b.Dx()) >= want.Width*0.9 || float32(b.Dy()) >= want.Height*0.9
}

// rasterSize is the size an SVG is rasterised at for a window: pictures
// take at most the width and about 70% of the height, and the
// longest side is capped at limit (the painter scales up from there on
// big screens: rasterising is slow, a few hundred ms per megapixel).
func rasterSize(win fyne.Size, aspect, limit float32) fyne.Size {
	_, s := fitAspect(fyne.NewSize(max(win.Width, 400)*0.95, max(win.Height, 240)*0.7), aspect)
	if l := max(s.Width, s.Height); l > limit {
		s = fyne.NewSize(s.Width*limit/l, s.Height*limit/l)
	}
	return fyne.NewSize(float32(int(s.Width)), float32(int(s.Height)))
}

// DefaultRasterCap is the longest side of a rasterised SVG, in pixels,
// when Options.RasterCap is 0.
const DefaultRasterCap = 800

// Rasters keeps the most recently drawn pictures, by content and size: a
// new pack that shares pictures with the last one, or a renderer drawing
// the same pack at several sizes, reuses them. Safe for concurrent use.
type Rasters struct {
	mu    sync.Mutex
	max   int
	order []rasterKey
	m     map[rasterKey]image.Image
}

// NewRasters returns a cache of at most n pictures (n < 1: 24, about
// 40 MB at 1920×1080).
func NewRasters(n int) *Rasters {
	if n < 1 {
		n = 24
	}
	return &Rasters{max: n}
}

type rasterKey struct {
	sum  [sha256.Size]byte
	w, h int
}

func (c *Rasters) get(k rasterKey) image.Image {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *Rasters) put(k rasterKey, img image.Image) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[rasterKey]image.Image{}
	}
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, k)
	c.m[k] = img
}

// fitAspect is the largest rectangle of the given aspect inside s, centred.
func fitAspect(s fyne.Size, aspect float32) (fyne.Position, fyne.Size) {
	w, h := s.Width, s.Width/aspect
	if h > s.Height {
		h, w = s.Height, s.Height*aspect
	}
	return fyne.NewPos((s.Width-w)/2, (s.Height-h)/2), fyne.NewSize(w, h)
}

// Warm rasterises the pictures the kiosk shows while idle (every attract
// slide, the first first) and on the home screen (the module icons) ahead
// of time, on the calling goroutine, so neither the first frame nor the
// attract loop waits for an SVG to be drawn. win is the window size
// expected; zero waits for the window to have one. It returns when done or
// when ctx ends; main runs it with go before the window opens, so the first
// slide's picture is drawn while the window is created.
func (u *UI) Warm(ctx context.Context, win fyne.Size) {
	for win.Width <= 0 || win.Height <= 0 {
		u.doAndWait(func() { win = u.host.Size() })
		if win.Width > 0 && win.Height > 0 {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	for _, p := range warmPaths(u.m.Pack()) {
		if ctx.Err() != nil {
			return
		}
		if a := u.media.get(p); a != nil {
			u.media.pixels(a, win)
		}
	}
}

func warmPaths(p *content.Pack) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.Attract {
		if s.Image != "" {
			out = append(out, s.Image)
		}
	}
	for _, m := range p.Mods {
		if m.Icon != "" {
			out = append(out, m.Icon)
		}
	}
	return out
}

// prefetch draws, on another goroutine, the pictures of the screens one
// tap away from s that are not drawn yet: on the home screen each module's
// first step, on a step the next one. Building a screen draws its picture
// on the Fyne goroutine when nothing has (tens of milliseconds an SVG, more
// on a loaded board), between the tap and the next screen.
func (u *UI) prefetch(s flow.State) {
	p := u.m.Pack()
	if p == nil || u.buildSize.Width <= 0 {
		return
	}
	var paths []string
	switch s.Screen {
	case flow.Home:
		for _, m := range p.Mods {
			if len(m.Steps) > 0 {
				paths = append(paths, m.Steps[0].Image)
			}
		}
	case flow.Step:
		if s.Module >= 0 && s.Module < len(p.Mods) && s.Pos+1 < len(s.Visit) {
			if steps := p.Mods[s.Module].Steps; s.Visit[s.Pos+1] < len(steps) {
				paths = append(paths, steps[s.Visit[s.Pos+1]].Image)
			}
		}
	}
	var todo []*asset
	for _, path := range paths {
		if a := u.media.get(path); a != nil {
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		return
	}
	size := u.buildSize
	go func() {
		for _, a := range todo {
			u.media.pixels(a, size)
		}
	}()
}
