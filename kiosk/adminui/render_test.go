package adminui

import (
	"crypto/rand"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/sensors"
)

// TestRenderScreens goes through every staff screen at 800×480, 1920×1080
// and in portrait (480×800, 1080×1920) and checks that nothing overlaps or
// leaves the screen; with WUFANG_RENDER_DIR set it also draws them there as
// PNGs to look at (and checks they are not blank).
func TestRenderScreens(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) { renderScreens(t, size) })
	}
}

var screenSizes = []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}, {Width: 480, Height: 800}, {Width: 1080, Height: 1920}}

func renderScreens(t *testing.T, size fyne.Size) {
	out := os.Getenv("WUFANG_RENDER_DIR")
	prefix := fmt.Sprintf("%vx%v-", size.Width, size.Height)
	key, err := content.GenerateKey(rand.Reader, "centre-staff")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
	r.w.Resize(size)
	first := filepath.Join(t.TempDir(), "v1.wfpack")
	writePack(t, first, "1.0.0", &key, nil)
	if _, err := r.in.Install(t.Context(), first, content.InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	stick := filepath.Join(r.usb, "staff", "STICK")
	writePack(t, filepath.Join(stick, "flowtest-1.1.0.wfpack"), "1.1.0", &key, nil)
	writePack(t, filepath.Join(stick, "bad.wfpack"), "1.2.0", &key, func(y string) string {
		return y[:len(y)-1] + "\nlanguages_typo: x\n"
	})
	writePack(t, filepath.Join(stick, "old.wfpack"), "0.9.0", &key, nil)
	other, _ := content.GenerateKey(rand.Reader, "someone")
	writePack(t, filepath.Join(stick, "stranger.wfpack"), "2.0.0", &other, nil)
	writePack(t, filepath.Join(stick, "future.wfpack"), "3.0.0", &key, func(y string) string {
		return strings.Replace(y, "min_app_version: \"\"\n", "min_app_version: 9.0.0\n", 1)
	})

	shot := func(name string) {
		t.Helper()
		r.drain()
		if got := r.w.Canvas().Size(); got != size {
			t.Fatalf("the canvas is %v", got)
		}
		for _, o := range r.overlaps() {
			t.Errorf("%s: %s", name, o)
		}
		if out == "" {
			return // capturing is slow under the race detector
		}
		img := r.w.Canvas().Capture()
		if b := img.Bounds(); b.Dx() < int(size.Width) || b.Dy() < int(size.Height) {
			t.Errorf("%s: capture is %v", name, b)
		}
		if blank(img) {
			t.Errorf("%s: the screen is blank", name)
		}
		f, err := os.Create(filepath.Join(out, prefix+name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}

	r.hold(HoldFor)
	r.tap("1")
	r.tap("3")
	r.tap("5")
	r.tap("7")
	shot("00-pin")
	r.tap("OK")
	r.waitFor("wrong", func() bool { return r.shows("Wrong PIN") })
	shot("01-pin-wrong")
	r.typePIN(testPIN)
	r.waitFor("counts", func() bool { return r.shows("5120") })
	shot("02-counts")
	if r.hasEnabled("Next") {
		r.tap("Next")
		shot("03-counts-modules")
	}
	r.tap("Uplink")
	r.waitFor("uplink", func() bool { return r.shows("refused") })
	shot("04-uplink")
	r.tap("Sensors")
	r.waitFor("sensors", func() bool { return r.shows("Button A") })
	r.dev.ch <- sensors.Event{Time: r.clock.Now(), Sensor: "button.a", Kind: sensors.Press}
	r.waitFor("lit", func() bool { return r.rowColour("Button A") == litColour })
	shot("05-sensors")
	r.dev.mu.Lock()
	r.dev.st.Offer = &wire.OfferState{ID: "flowtest", Version: "1.0.0", SHA256: strings.Repeat("ab", 32), State: wire.OfferInstalled}
	r.dev.mu.Unlock()
	r.tap("Content")
	r.waitFor("content", func() bool { return r.shows("centre-staff") })
	shot("06-content")
	r.tap("U盘安装 USB")
	r.checked()
	shot("07-usb")
	r.openCard("bad.wfpack")
	shot("08-usb-refused")
	r.tap("Back to the list")
	r.openCard("future.wfpack")
	shot("08-usb-app-too-old")
	r.tap("Back to the list")
	r.openCard("flowtest-1.1.0")
	shot("09-usb-confirm")
	r.tap("安装 Install flowtest 1.1.0")
	r.waitFor("installed", func() bool { return r.shows("Installed and showing") })
	shot("09-usb-installed")
	r.tap("Content")
	r.waitFor("content", func() bool { return r.shows("Roll back to flowtest 1.0.0") })
	r.tap("Roll back to flowtest 1.0.0")
	shot("10-rollback-confirm")
	r.tap("Cancel")
	r.waitFor("content", func() bool { return r.shows("Back to the built-in pack") })
	r.tap("Back to the built-in pack")
	shot("10-builtin-confirm")
	r.tap("Use the built-in pack")
	r.waitFor("builtin", func() bool { return r.shows("Now showing the built-in pack") })
	r.waitFor("content", func() bool { return r.shows("Roll back to flowtest 1.1.0") })
	shot("10-builtin-done")
	r.tap("Device")
	shot("11-device")
	r.tap("重启 Restart")
	shot("12-restart")
	r.tap("退出 Exit")
	shot("13-exit")
	r.tap("Leave")
	for range 5 {
		r.hold(HoldFor)
		r.typePIN("0000")
		r.waitFor("checked", func() bool { return !r.a.pin.busy })
		if r.shows("Locked") {
			break
		}
		r.tap("Cancel")
	}
	shot("14-pin-locked")
}

// blank reports whether img is one colour.
func blank(img image.Image) bool {
	b := img.Bounds()
	r0, g0, b0, _ := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r != r0 || g != g0 || bl != b0 {
				return false
			}
		}
	}
	return true
}

// TestLayouts: at 800×480, 1920×1080 and in portrait the PIN pad is a
// phone's 3×4 pad of keys at least minKey×s px on each side (64 px on the
// 7" panel, 12 mm at its 133 dpi; 144 px at 1080 px wide), no key taller
// than wide or more than twice as wide as tall, all on screen; the counts
// need no second page on the big screens, where the uplink and the device
// show beside them; and turning the screen redraws admin mode for it.
func TestLayouts(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			r := newRig(t, rigOpts{pinHash: pinHash(t)})
			r.w.Resize(size)
			r.hold(HoldFor)
			r.drain()
			m := metricsFor(size)
			keys := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "←", "0", "OK"}
			var first fyne.Size
			for i, k := range keys {
				b := r.keyButton(k)
				pos, sz := r.abs(b), b.Size()
				if i == 0 {
					first = sz
				}
				if sz != first {
					t.Errorf("key %s is %v, key 1 %v", k, sz, first)
				}
				if sz.Width < minKey*m.s || sz.Height < minKey*m.s {
					t.Errorf("key %s is %v, less than %v px", k, sz, minKey*m.s)
				}
				if sz.Height > sz.Width+0.5 || sz.Width > 2*sz.Height+0.5 {
					t.Errorf("key %s is %v: a slab", k, sz)
				}
				if pos.X < 0 || pos.Y < 0 || pos.X+sz.Width > size.Width+0.5 || pos.Y+sz.Height > size.Height+0.5 {
					t.Errorf("key %s at %v size %v is off the screen", k, pos, sz)
				}
				if i%3 > 0 {
					left := r.abs(r.keyButton(keys[i-1]))
					if left.Y != pos.Y || left.X >= pos.X {
						t.Errorf("key %s at %v is not right of %s at %v", k, pos, keys[i-1], left)
					}
				}
				if i >= 3 {
					above := r.abs(r.keyButton(keys[i-3]))
					if above.X != pos.X || above.Y >= pos.Y {
						t.Errorf("key %s at %v is not under %s at %v", k, pos, keys[i-3], above)
					}
				}
			}
			t.Logf("keys %v px, text %v px", first, m.text)
			for _, o := range r.overlaps() {
				t.Errorf("PIN pad: %s", o)
			}
			r.typePIN(testPIN)
			r.waitFor("counts", func() bool { return r.shows("5120") })
			big := m.s >= 1.5
			paged := r.hasEnabled("Next")
			if big && paged || size == fyne.NewSize(800, 480) && !paged {
				t.Errorf("counts paged: %v", paged)
			}
			if big != r.shows("概况 Overview") || big != r.shows("ssl://hub.example.cn:8883") || big != r.shows("kiosk-fire-1") {
				t.Errorf("the uplink and the device beside the counts: %v, %v", r.shows("ssl://hub.example.cn:8883"), r.shows("kiosk-fire-1"))
			}
			for _, o := range r.overlaps() {
				t.Errorf("counts: %s", o)
			}
			if th := fyne.CurrentApp().Settings().Theme().Size("text"); th != m.text {
				t.Errorf("text %v px, want %v", th, m.text)
			}
			// Turn the screen: the menu moves to the top (or back to the left).
			turned := fyne.NewSize(size.Height, size.Width)
			r.w.Resize(turned)
			r.drain()
			counts, uplink := r.abs(r.button("计数 Counts")), r.abs(r.button("上传 Uplink"))
			if top := counts.Y == uplink.Y; top != (turned.Height > turned.Width) {
				t.Errorf("turned to %v: Counts at %v, Uplink at %v", turned, counts, uplink)
			}
			for _, o := range r.overlaps() {
				t.Errorf("turned: %s", o)
			}
		})
	}
}

// keyButton is the PIN key labelled exactly k.
func (r *rig) keyButton(k string) *widget.Button {
	r.t.Helper()
	var found *widget.Button
	walk(r.w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == k {
			found = b
		}
	})
	if found == nil {
		r.t.Fatalf("no key %q", k)
	}
	return found
}

// abs is o's position on the canvas, summed over its parents.
func (r *rig) abs(o fyne.CanvasObject) fyne.Position {
	r.t.Helper()
	var at fyne.Position
	found := false
	var visit func(c fyne.CanvasObject, pos fyne.Position)
	visit = func(c fyne.CanvasObject, pos fyne.Position) {
		if found {
			return
		}
		if c == o {
			at, found = pos, true
			return
		}
		if k, ok := c.(*fyne.Container); ok {
			for _, x := range k.Objects {
				visit(x, pos.Add(x.Position()))
			}
		}
	}
	root := r.w.Content()
	visit(root, root.Position())
	if !found {
		r.t.Fatalf("%T is not on the screen", o)
	}
	return at
}
