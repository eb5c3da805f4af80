package builtin

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/fyne-io/oksvg"
	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/internal/version"
)

// minSteps is what issues 6 and 18 ask of every module of the built-in
// pack: at least this many steps of each type in the module (a visit shows
// a draw of them, at most 10 steps; the validator warns beyond).
var minSteps = map[string]int{
	content.Lesson:   4,
	content.Choice:   6,
	content.Order:    1,
	content.Hotspot:  1,
	content.Scenario: 1,
}

func loadPack(t *testing.T) *content.Pack {
	t.Helper()
	p, err := content.Load(FS())
	if err != nil {
		t.Fatalf("load the built-in pack:\n%v", err)
	}
	return p
}

// TestDevBuildAcceptsIt: a development build (version.Base+"+dev", what an
// unstamped build reports) and this test binary must accept the built-in
// pack, so the same pack rebuilt as a .wfpack installs from USB.
func TestDevBuildAcceptsIt(t *testing.T) {
	p := loadPack(t)
	if p.MinAppVersion == "" {
		t.Fatal("the built-in pack names no min_app_version")
	}
	for _, app := range []string{version.Base + "+dev", version.String()} {
		if err := content.CheckAppVersion(p, app); err != nil {
			t.Errorf("app %s: %v; raise version.Base or lower the pack's min_app_version", app, err)
		}
	}
}

// TestValidatesClean: no error and no warning, not even a text over its
// budget, because the built-in pack is the example every other pack follows.
func TestValidatesClean(t *testing.T) {
	p := loadPack(t)
	for _, pr := range content.Validate(p, FS()) {
		t.Errorf("%s", pr)
	}
	if _, probs := content.Check(FS()); len(probs) > 0 {
		t.Errorf("content.Check: %v", probs)
	}
}

func TestManifest(t *testing.T) {
	p := loadPack(t)
	if p.ID != "wufang-builtin" || p.Format != content.Format {
		t.Errorf("id %q format %q", p.ID, p.Format)
	}
	if want := []string{"zh-CN", "en"}; strings.Join(p.Languages, ",") != strings.Join(want, ",") {
		t.Errorf("languages %v, want %v (Chinese first: it is the default)", p.Languages, want)
	}
	if strings.Join(p.Modules, ",") != strings.Join(content.ModuleIDs, ",") {
		t.Errorf("modules %v, want all five: %v", p.Modules, content.ModuleIDs)
	}
	if len(p.Attract) < 5 {
		t.Errorf("attract loop has %d slides, want at least 5", len(p.Attract))
	}
	if len(p.Mods) != len(p.Modules) {
		t.Fatalf("%d module files loaded for %d modules", len(p.Mods), len(p.Modules))
	}
}

func TestStepCounts(t *testing.T) {
	p := loadPack(t)
	for _, m := range p.Mods {
		n := map[string]int{}
		for _, s := range m.Steps {
			n[s.Type]++
		}
		for typ, min := range minSteps {
			if n[typ] < min {
				t.Errorf("%s: %d %s steps, want at least %d", m.ID, n[typ], typ, min)
			}
		}
	}
}

// TestStepsDoTheirJob checks what the validator cannot know is wanted here:
// every choice explains itself, every scenario has at least three decision
// points and both good and bad endings, every module has a hotline.
func TestStepsDoTheirJob(t *testing.T) {
	p := loadPack(t)
	for _, m := range p.Mods {
		if m.Hotline.Number == "" || m.PassScore <= 0 {
			t.Errorf("%s: hotline %q, pass score %d", m.ID, m.Hotline.Number, m.PassScore)
		}
		for _, s := range m.Steps {
			switch s.Type {
			case content.Choice, content.Order, content.Hotspot:
				if len(s.Explanation) == 0 {
					t.Errorf("%s: no explanation", s.ID)
				}
			case content.Scenario:
				if len(s.Situations) < 3 {
					t.Errorf("%s: %d decision points, want at least 3", s.ID, len(s.Situations))
				}
				if d := longestPath(s); d < 3 {
					t.Errorf("%s: the longest path passes %d decision points, want 3", s.ID, d)
				}
				var good, bad int
				for _, o := range s.Outcomes {
					if o.Good {
						good++
					} else {
						bad++
					}
				}
				if good == 0 || bad == 0 {
					t.Errorf("%s: %d good and %d bad outcomes, want both", s.ID, good, bad)
				}
			}
		}
	}
}

// longestPath is the number of situations on the longest path from the
// start of a scenario (the graph is acyclic; the validator checks that every
// path ends).
func longestPath(s content.Step) int {
	byID := map[string]content.Situation{}
	for _, st := range s.Situations {
		byID[st.ID] = st
	}
	var depth func(id string, seen map[string]bool) int
	depth = func(id string, seen map[string]bool) int {
		st, ok := byID[id]
		if !ok || seen[id] {
			return 0
		}
		seen[id] = true
		defer delete(seen, id)
		best := 0
		for _, b := range st.Choices {
			if b.Next != "" {
				best = max(best, depth(b.Next, seen))
			}
		}
		return 1 + best
	}
	return depth(s.Start, map[string]bool{})
}

// mediaRefs lists every media path the pack refers to.
func mediaRefs(p *content.Pack) map[string]bool {
	refs := map[string]bool{}
	add := func(s string) {
		if s != "" {
			refs[s] = true
		}
	}
	for _, sl := range p.Attract {
		add(sl.Image)
	}
	for _, m := range p.Mods {
		add(m.Icon)
		for _, s := range m.Steps {
			add(s.Image)
			for _, st := range s.Situations {
				add(st.Image)
			}
		}
	}
	return refs
}

func TestMediaExistAndAllUsed(t *testing.T) {
	p := loadPack(t)
	refs := mediaRefs(p)
	for name := range refs {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("%s is referred to but missing: %v", name, err)
		}
	}
	err := fs.WalkDir(FS(), "media", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !refs[name] {
			t.Errorf("%s is in the pack but nothing uses it", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSVGsParse reads every SVG the way the kiosk will (Fyne draws SVG with
// oksvg), in strict mode, so an element oksvg would silently skip fails here.
func TestSVGsParse(t *testing.T) {
	for _, name := range svgFiles(t) {
		data, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.StrictErrorMode)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
			t.Errorf("%s: no viewBox", name)
		}
		for _, bad := range []string{"<text", "<style", "<image", "<filter", "<mask", "Gradient", "href"} {
			if bytes.Contains(data, []byte(bad)) {
				t.Errorf("%s contains %s, which the kiosk cannot draw or translate", name, bad)
			}
		}
		// Two things oksvg parses without error but draws as nothing.
		if m := oneArgScale.Find(data); m != nil {
			t.Errorf("%s: %s is read by oksvg as scale(s, 0); write scale(s,s)", name, m)
		}
		if m := twoPointPolyline.Find(data); m != nil {
			t.Errorf("%s: oksvg draws nothing for a polyline of two points (%s); use a line", name, m)
		}
	}
}

var (
	oneArgScale      = regexp.MustCompile(`scale\(\s*[-+0-9.eE]+\s*\)`)
	twoPointPolyline = regexp.MustCompile(`<polyline[^>]*points="\s*[-+0-9.eE]+[ ,]+[-+0-9.eE]+[ ,]+[-+0-9.eE]+[ ,]+[-+0-9.eE]+\s*"`)
)

func svgFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(FS(), "media", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(name) == ".svg" {
			out = append(out, name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no SVG in the pack")
	}
	return out
}

// TestReviewSheet keeps REVIEW.md, the sheet staff sign off, in step with
// the pack: every step is listed there, and every step it names exists.
func TestReviewSheet(t *testing.T) {
	sheet, err := os.ReadFile("REVIEW.md")
	if err != nil {
		t.Fatal(err)
	}
	p := loadPack(t)
	ids := map[string]bool{}
	for _, m := range p.Mods {
		for _, s := range m.Steps {
			ids[s.ID] = true
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(s.ID) + `\b`).Match(sheet) {
				t.Errorf("step %s is not on REVIEW.md; list the facts it teaches", s.ID)
			}
		}
	}
	named := regexp.MustCompile(`\b(?:traffic|fire|fraud|drugs|disasters)-[a-z0-9-]*[a-z0-9]\b`)
	for _, id := range named.FindAllString(string(sheet), -1) {
		if !ids[id] {
			t.Errorf("REVIEW.md names step %s, which the pack does not have", id)
		}
	}
}
