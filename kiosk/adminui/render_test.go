package adminui

import (
	"crypto/rand"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/sensors"
)

// TestRenderScreens goes through every staff screen at 800×480 and checks
// that nothing overlaps or leaves the screen; with WUFANG_RENDER_DIR set it
// also draws them there as PNGs to look at (and checks they are not blank).
func TestRenderScreens(t *testing.T) {
	out := os.Getenv("WUFANG_RENDER_DIR")
	key, err := content.GenerateKey(rand.Reader, "centre-staff")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOpts{pinHash: pinHash(t), key: &key})
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

	shot := func(name string) {
		t.Helper()
		r.drain()
		for _, o := range r.overlaps() {
			t.Errorf("%s: %s", name, o)
		}
		if out == "" {
			return // capturing is slow under the race detector
		}
		img := r.w.Canvas().Capture()
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 480 {
			t.Errorf("%s: capture is %v", name, b)
		}
		if blank(img) {
			t.Errorf("%s: the screen is blank", name)
		}
		f, err := os.Create(filepath.Join(out, name+".png"))
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
	r.tap("Next")
	shot("03-counts-modules")
	r.tap("Uplink")
	r.waitFor("uplink", func() bool { return r.shows("refused") })
	shot("04-uplink")
	r.tap("Sensors")
	r.waitFor("sensors", func() bool { return r.shows("Button A") })
	r.dev.ch <- sensors.Event{Time: r.clock.Now(), Sensor: "button.a", Kind: sensors.Press}
	r.waitFor("lit", func() bool { return r.rowColour("Button A") == litColour })
	shot("05-sensors")
	r.tap("Content")
	r.waitFor("content", func() bool { return r.shows("centre-staff") })
	shot("06-content")
	r.tap("U盘安装 USB")
	r.waitFor("usb", func() bool { return r.shows("Tap a pack") })
	shot("07-usb")
	r.tap("bad.wfpack")
	r.waitFor("refusal", func() bool { return r.shows("Not installed") })
	shot("08-usb-refused")
	r.tap("Back to the list")
	r.waitFor("usb", func() bool { return r.shows("Tap a pack") })
	r.tap("flowtest-1.1.0")
	r.waitFor("installed", func() bool { return r.shows("Installed and showing") })
	shot("09-usb-installed")
	r.tap("Content")
	r.waitFor("content", func() bool { return r.shows("Roll back to flowtest 1.0.0") })
	r.tap("Roll back to flowtest 1.0.0")
	shot("10-rollback-confirm")
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
