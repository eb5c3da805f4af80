package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
	"github.com/wufang-kiosk/wufang/kiosk/flow/flowtest"
)

// BenchmarkTransition measures a screen change in the test driver: build
// and lay out the next screen of the built-in pack (every screen in turn,
// pictures already rasterised, as during a visit after the first pass).
// It reports the p50 and p95 of single transitions besides ns/op.
func BenchmarkTransition(b *testing.B) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1920, Height: 1080}} {
		b.Run(sizeName(size), func(b *testing.B) {
			p, fsys := builtinPack(b)
			test.NewTempApp(b)
			m := flow.New(p, flow.Options{Clock: flowtest.NewClock(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC))})
			defer m.Close()
			u := New(m, Options{FS: fsys, RasterCap: testRasterCap})
			w := test.NewWindow(nil)
			defer w.Close()
			w.SetPadded(false)
			w.Resize(size)
			w.SetContent(u.host)
			w.Resize(size)
			shots := Shots(p, "zh-CN")
			for _, sh := range shots { // warm the picture cache
				u.show(sh.State)
			}
			d := make([]time.Duration, 0, b.N)
			seq := uint64(1 << 20)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st := shots[i%len(shots)].State
				seq++
				st.Seq = seq
				t0 := time.Now()
				u.show(st)
				d = append(d, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(d)
			b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

func sizeName(s fyne.Size) string {
	return fmt.Sprintf("%vx%v", s.Width, s.Height)
}
