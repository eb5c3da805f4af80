package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestMedia(t *testing.T) {
	m := goodFS(t)
	m["media/a.png"] = &fstest.MapFile{Data: pngOf(t, 8, 8)}
	m["media/bomb.png"] = &fstest.MapFile{Data: pngHeaderOnly(t, 50000, 50000)}
	m["media/fake.svg"] = &fstest.MapFile{Data: pngOf(t, 8, 8)}
	for _, c := range []struct{ name, err string }{
		{"media/icon.svg", ""},
		{"media/a.png", ""},
		{"media/bomb.png", "media: media/bomb.png is 50000×50000 pixels; the limit is 4096×4096"},
		{"media/fake.svg", "media: media/fake.svg: is not UTF-8 text"},
		{"media/none.png", "media: media/none.png does not exist in the pack"},
		{"../pack.yaml", `media: "../pack.yaml" is not a path inside the pack`},
		{"pack.yaml", `media: "pack.yaml" is not a PNG, JPEG or SVG file`},
	} {
		data, err := Media(m, c.name)
		switch {
		case c.err == "" && (err != nil || len(data) == 0):
			t.Errorf("Media(%s): %v", c.name, err)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("Media(%s): %v; want %q", c.name, err, c.err)
		}
	}
}

func TestWidthBudgets(t *testing.T) {
	for s, w := range map[string]int{"": 0, "Fire": 4, "火警": 4, "拨打119": 7, "，": 2, "한국": 4} {
		if got := Width(s); got != w {
			t.Errorf("Width(%q) = %d; want %d", s, got, w)
		}
	}
}
