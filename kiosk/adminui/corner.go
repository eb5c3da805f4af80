package adminui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// corner is the invisible hot zone. It takes mouse presses (touchscreens
// deliver them as mouse events on Linux). Fyne gives a press to the topmost
// object that handles any pointer event, so the visitor control under the
// zone does not see it: a quick tap is handed on through Options.PassTap.
type corner struct {
	widget.BaseWidget
	a *Admin
}

var (
	_ desktop.Mouseable = (*corner)(nil)
	_ desktop.Hoverable = (*corner)(nil)
	_ fyne.Tappable     = (*corner)(nil)
)

func newCorner(a *Admin) *corner {
	c := &corner{a: a}
	c.ExtendBaseWidget(c)
	c.Resize(fyne.NewSquareSize(CornerSize))
	return c
}

func (c *corner) CreateRenderer() fyne.WidgetRenderer {
	r := canvas.NewRectangle(color.Transparent)
	return widget.NewSimpleRenderer(r)
}

func (c *corner) MinSize() fyne.Size { return fyne.NewSquareSize(CornerSize) }

// MouseDown starts the hold.
func (c *corner) MouseDown(ev *desktop.MouseEvent) {
	if ev != nil && ev.Button != 0 && ev.Button != desktop.MouseButtonPrimary {
		return
	}
	c.a.guard("corner", c.a.holdStart)
}

// MouseUp ends it.
func (c *corner) MouseUp(*desktop.MouseEvent) {
	c.a.guard("corner", c.a.holdStop)
}

// Tapped hands a quick tap on the zone to the visitor screen.
func (c *corner) Tapped(ev *fyne.PointEvent) {
	if c.a.opts.PassTap != nil && !c.a.shown {
		c.a.guard("pass tap", func() { c.a.opts.PassTap(ev.AbsolutePosition) })
	}
}

// MouseIn and MouseMoved do nothing: only pressing counts.
func (c *corner) MouseIn(*desktop.MouseEvent)    {}
func (c *corner) MouseMoved(*desktop.MouseEvent) {}

// MouseOut ends the hold: a finger that slides off the zone and lifts
// elsewhere sends its MouseUp to whatever is under it, not to the zone.
func (c *corner) MouseOut() {
	c.a.guard("corner", c.a.holdStop)
}
