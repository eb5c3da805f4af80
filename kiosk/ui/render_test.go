package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	ktheme "github.com/wufang-kiosk/wufang/kiosk/theme"
)

func TestRenderDev(t *testing.T) {
	out := os.Getenv("WUFANG_RENDER_DIR")
	if out == "" {
		t.Skip("set WUFANG_RENDER_DIR")
	}
	rasterCap = 800
	defer func() { rasterCap = 200 }()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ktheme.New(ktheme.Options{}))
	p, err := content.Load(builtin.FS())
	if err != nil {
		t.Fatal(err)
	}
	size, err := parseSize(os.Getenv("WUFANG_SIZE"))
	if err != nil {
		size = fyne.NewSize(800, 480)
	}
	mis, err := Render(p, builtin.FS(), size, os.Getenv("WUFANG_LANG"), out)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Log(m)
	}
}
