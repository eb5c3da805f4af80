package flow

import (
	"slices"

	"github.com/wufang-kiosk/wufang/content"
)

// hotspotKind: find the targets on a picture, by touch or by moving a
// highlight over a grid with the buttons; Next gives up ("show me").
type hotspotKind struct{}

func (hotspotKind) enter(m *Machine, st *content.Step) {
	m.st.Found = make([]bool, len(st.Targets))
	m.st.Cursor = HotspotGrid * HotspotGrid / 2
}

func (hotspotKind) next(m *Machine, st *content.Step) {
	m.st.Revealed = true // "show me": the visitor gives up
	m.answer(false)
}

func (hotspotKind) choose(*Machine, *content.Step, int) {}

func (hotspotKind) hints(_ *Machine, _ *content.Step, add func(string, Action, int)) {
	add(BtnA, ActLeft, 0)
	add(BtnB, ActRight, 0)
	add(BtnC, ActUp, 0)
	add(BtnD, ActDown, 0)
	add(BtnOK, ActCheck, 0)
	add(BtnBack, ActBack, 0)
}

// TapSlop widens hotspot targets for fingers, in fractions of the image.
const TapSlop = 0.02

func (m *Machine) tapAt(x, y float64) {
	st := m.step()
	if st == nil || st.Type != content.Hotspot || m.st.Answered ||
		!(x >= 0 && x <= 1 && y >= 0 && y <= 1) { // also false for NaN
		return
	}
	hit := func(t content.Target) bool {
		return x >= t.X-TapSlop && x <= t.X+t.W+TapSlop && y >= t.Y-TapSlop && y <= t.Y+t.H+TapSlop
	}
	// Targets not found yet first: where targets overlap, a tap finds a new one.
	for i, t := range st.Targets {
		if i < len(m.st.Found) && !m.st.Found[i] && hit(t) {
			m.found(st, i)
			return
		}
	}
	// A safe thing: say so, and count no miss.
	for j, d := range st.Decoys {
		if hit(d) {
			m.decoy(j)
			return
		}
	}
	if slices.ContainsFunc(st.Targets, hit) {
		return // a tap on something already found is no miss
	}
	m.miss(st, x, y)
}

// decoy shows decoy j's "that one is safe" label; it is not a miss.
func (m *Machine) decoy(j int) {
	m.st.Decoy = j + 1
	m.st.LastTap = nil
}

func (m *Machine) found(st *content.Step, i int) {
	m.st.Found = slices.Clone(m.st.Found)
	m.st.Found[i] = true
	m.st.LastTap = nil
	m.st.Decoy = 0
	if !slices.Contains(m.st.Found, false) {
		m.answer(m.st.Misses <= len(st.Targets))
	}
}

func (m *Machine) miss(st *content.Step, x, y float64) {
	m.st.Misses++
	m.st.LastTap = &[2]float64{x, y}
	m.st.Decoy = 0
	if m.st.Misses >= RevealAfterMisses {
		m.st.Revealed = true
		m.answer(false)
	}
}

func (m *Machine) moveCell(a Action) {
	if m.st.StepType != content.Hotspot || m.st.Answered {
		return
	}
	c := m.st.Cursor
	if c < 0 || c >= HotspotGrid*HotspotGrid {
		c = 0
	}
	row, col := c/HotspotGrid, c%HotspotGrid
	switch a {
	case ActLeft:
		col = (col + HotspotGrid - 1) % HotspotGrid
	case ActRight:
		col = (col + 1) % HotspotGrid
	case ActUp:
		row = (row + HotspotGrid - 1) % HotspotGrid
	case ActDown:
		row = (row + 1) % HotspotGrid
	}
	m.st.Cursor = row*HotspotGrid + col
}

// checkCell is a button user's tap: it finds the first target not yet found
// that overlaps the highlighted grid cell, or counts a miss at its centre.
func (m *Machine) checkCell() {
	st := m.step()
	if st == nil || st.Type != content.Hotspot || m.st.Answered {
		return
	}
	c := m.st.Cursor
	if c < 0 || c >= HotspotGrid*HotspotGrid {
		c = 0
	}
	const g = float64(HotspotGrid)
	x0, y0 := float64(c%HotspotGrid)/g, float64(c/HotspotGrid)/g
	x1, y1 := x0+1/g, y0+1/g
	for i, t := range st.Targets {
		if i < len(m.st.Found) && !m.st.Found[i] && t.X < x1 && t.X+t.W > x0 && t.Y < y1 && t.Y+t.H > y0 {
			m.found(st, i)
			return
		}
	}
	for j, d := range st.Decoys {
		if d.X < x1 && d.X+d.W > x0 && d.Y < y1 && d.Y+d.H > y0 {
			m.decoy(j)
			return
		}
	}
	m.miss(st, x0+0.5/g, y0+0.5/g)
}
