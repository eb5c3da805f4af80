package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// TestPrefetch: the home screen has each module's first picture drawn
// ahead, on another goroutine, and a step the next step's, so the tap that
// shows them does not wait for an SVG to be drawn.
func TestPrefetch(t *testing.T) {
	p, fsys := builtinPack(t)
	k := newKiosk(t, p, fsys, fyne.NewSize(800, 480))
	var first []string
	for _, m := range p.Mods {
		if len(m.Steps) > 0 && m.Steps[0].Image != "" {
			first = append(first, m.Steps[0].Image)
		}
	}
	if len(first) < 3 {
		t.Fatalf("the built-in pack has %d modules starting with a picture; the test needs a few", len(first))
	}
	for _, path := range first {
		if drawnPicture(k.u, path) {
			t.Fatalf("%s drawn before the home screen showed", path)
		}
	}
	k.wake()
	if k.u.st.Screen != flow.Home {
		t.Fatalf("on %s after waking, want home", k.u.st.Screen)
	}
	for _, path := range first {
		waitDrawn(t, k.u, path, "the home screen")
	}

	// A step: the next one's picture (one the module does not start with).
	for mi, m := range p.Mods {
		for i := 1; i+1 < len(m.Steps); i++ {
			next := m.Steps[i+1].Image
			if next == "" || next == m.Steps[i].Image || drawnPicture(k.u, next) {
				continue
			}
			k.u.prefetch(flow.State{Screen: flow.Step, Module: mi, StepIdx: i, Visit: []int{i, i + 1}, Pos: 0})
			waitDrawn(t, k.u, next, "a step before it")
			return
		}
	}
	t.Fatal("no step in the built-in pack is followed by a picture not drawn yet")
}

func drawnPicture(u *UI, path string) bool {
	a := u.media.get(path)
	if a == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.px != nil
}

func waitDrawn(t *testing.T, u *UI, path, after string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if drawnPicture(u, path) {
			return
		}
	}
	t.Fatalf("%s not drawn ahead after %s showed", path, after)
}
