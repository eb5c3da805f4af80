package adminui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// corner is the invisible hot zone. It takes mouse presses (touchscreens
// deliver them as mouse events on Linux) but is not Tappable, so a tap in
// the corner still reaches the visitor screen below it.
type corner struct {
	widget.BaseWidget
	a *Admin
}

var _ desktop.Mouseable = (*corner)(nil)

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
