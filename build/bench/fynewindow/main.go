// Command fynewindow is the Fyne baseline of build/bench-kiosk.sh: a full-screen
// window showing the built-in pack's first attract slide in the kiosk theme,
// with nothing else running (no flow, sensors or store). With -bare it shows
// one label in Fyne's default theme, the "bare Fyne window" of issue 8.
package main

import (
	"flag"
	"image/color"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/go-gl/glfw/v3.3/glfw"

	kiosktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

func main() {
	bare := flag.Bool("bare", false, "one label in Fyne's default theme")
	windowed := flag.Bool("windowed", false, "an 800x480 window instead of full screen")
	pump := flag.Duration("idle-pump", 0, "block Fyne's 60 Hz loop in glfw.WaitEventsTimeout for up to this long per turn (see NOTES.md)")
	flag.Parse()

	a := app.NewWithID("org.wufang.bench")
	w := a.NewWindow("wufang bench")
	if *bare {
		w.SetContent(widget.NewLabel("欢迎来到五防安全体验室 Welcome to the Safety Room"))
	} else {
		a.Settings().SetTheme(kiosktheme.New(kiosktheme.Options{}))
		w.SetContent(slide())
	}
	w.SetPadded(false)
	if *windowed {
		w.Resize(fyne.NewSize(800, 480))
	} else {
		w.SetFullScreen(true)
	}
	if *pump > 0 {
		p := &idlePump{max: *pump, active: 2 * time.Second}
		a.Lifecycle().SetOnStarted(p.start)
		a.Lifecycle().SetOnStopped(p.stop)
	}
	// The slide timer of a real attract loop: a change from another
	// goroutine every 8 s, posted with fyne.Do and a wake.
	go func() {
		for range time.Tick(8 * time.Second) {
			fyne.Do(func() {})
			if *pump > 0 {
				wake()
			}
		}
	}()
	w.ShowAndRun()
}

// idlePump keeps Fyne's main loop asleep while nothing happens. Fyne 2.7's
// loop (internal/driver/glfw/loop.go) wakes 60 times a second to poll GLFW,
// tick animations and check for dirty canvases, even when idle (fyne issue
// #2506; PR #5422 would fix it upstream). Each turn of the pump runs on the
// main thread as a fyne.Do function and blocks in glfw.WaitEventsTimeout,
// which returns at once on any input; after input it lets the normal loop
// run for active, so tap feedback animates at full rate. Code that posts UI
// work from another goroutine calls wake after fyne.Do, or the work waits up
// to max.
type idlePump struct {
	max, active time.Duration
	stopped     atomic.Bool
}

func (p *idlePump) start() { fyne.Do(p.turn) }

// stop ends the pump: once Fyne's loop has quit, fyne.Do runs functions on
// the caller's goroutine, where GLFW must not be called.
func (p *idlePump) stop() { p.stopped.Store(true) }

func (p *idlePump) turn() {
	if p.stopped.Load() {
		return
	}
	start := time.Now()
	glfw.WaitEventsTimeout(p.max.Seconds())
	// Give the loop at least one 60 Hz tick to draw what the wait let in;
	// after input or a wake, stay at full rate for a while.
	next := 20 * time.Millisecond
	if time.Since(start) < p.max-10*time.Millisecond {
		next = p.active
	}
	time.AfterFunc(next, func() { fyne.Do(p.turn) })
}

// wake interrupts the pump's wait: call it after fyne.Do from another
// goroutine. GLFW allows it from any thread.
func wake() { glfw.PostEmptyEvent() }

// tapLayer is an invisible full-window target: a tap swaps the band colour,
// so a benchmark can time input to frame.
type tapLayer struct {
	widget.BaseWidget
	onTap func()
}

func newTapLayer(f func()) *tapLayer {
	t := &tapLayer{onTap: f}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (t *tapLayer) Tapped(*fyne.PointEvent) { t.onTap() }

var (
	navy  = color.NRGBA{0x12, 0x26, 0x3F, 0xff}
	amber = color.NRGBA{0xF5, 0xB7, 0x00, 0xff}
	ink   = color.NRGBA{0x1B, 0x23, 0x30, 0xff}
)

// slide is the layout of build/bench/attract.html.
func slide() fyne.CanvasObject {
	title := widget.NewLabel("欢迎来到五防安全体验室")
	title.Wrapping, title.SizeName = fyne.TextWrapWord, "headingText"
	title.TextStyle.Bold = true
	body := widget.NewLabel("交通、消防、防诈骗、禁毒、防灾减灾，五个主题，十分钟学会保护自己和家人。")
	body.Wrapping = fyne.TextWrapWord
	// Sizes of the kiosk's attract screen: title 46, body 26.
	text := container.NewVBox(layout.NewSpacer(),
		container.NewThemeOverride(title, kiosktheme.New(kiosktheme.Options{Dark: true, TextScale: 46.0 / 32})),
		container.NewThemeOverride(body, kiosktheme.New(kiosktheme.Options{Dark: true, TextScale: 26.0 / 22})),
		layout.NewSpacer())
	pic := canvas.NewCircle(color.NRGBA{0x2a, 0x4a, 0x70, 0xff})
	dots := container.NewHBox(layout.NewSpacer())
	for i := range 7 {
		c := canvas.NewCircle(color.NRGBA{0x6a, 0x7a, 0x8f, 0xff})
		if i == 0 {
			c.FillColor = amber
		}
		dots.Add(container.NewGridWrap(fyne.NewSize(14, 14), c))
	}
	dots.Add(layout.NewSpacer())
	touch := canvas.NewText("触摸屏幕开始  ·  Touch to start", ink)
	touch.TextSize, touch.TextStyle.Bold, touch.Alignment = 30, true, fyne.TextAlignCenter
	bandBg := canvas.NewRectangle(amber)
	band := container.NewStack(bandBg, container.NewCenter(touch))
	main := container.NewGridWithColumns(2, container.NewPadded(pic), text)
	tap := newTapLayer(func() {
		if bandBg.FillColor == amber {
			bandBg.FillColor = color.White
		} else {
			bandBg.FillColor = amber
		}
		bandBg.Refresh()
	})
	return container.NewStack(canvas.NewRectangle(navy),
		container.NewBorder(nil, container.NewVBox(dots, container.NewGridWrap(fyne.NewSize(800, 92), band)), nil, nil,
			container.NewPadded(main)), tap)
}
