package content_test

import (
	"io/fs"
	"maps"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
)

// FORMAT.md is what pack authors read; these tests keep it honest.
const formatDoc = "FORMAT.md"

func readFormatDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(formatDoc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFormatNamesEveryKey fails when a key of pack.yaml or a module file
// is not described (in backticks) in FORMAT.md: a new key must be
// documented where staff look.
func TestFormatNamesEveryKey(t *testing.T) {
	doc := readFormatDoc(t)
	for _, v := range []any{content.Pack{}, content.Slide{}, content.Module{}, content.Hotline{}, content.Bank{},
		content.Step{}, content.Option{}, content.Target{}, content.Situation{}, content.Branch{}, content.Outcome{}} {
		rt := reflect.TypeOf(v)
		for field := range rt.Fields() {
			key, _, _ := strings.Cut(field.Tag.Get("yaml"), ",")
			if key == "" || key == "-" {
				continue
			}
			if !strings.Contains(doc, "`"+key+"`") && !strings.Contains(doc, "`"+key+":") {
				t.Errorf("%s does not describe the %s key `%s`", formatDoc, rt.Name(), key)
			}
		}
	}
	for _, typ := range []string{content.Lesson, content.Choice, content.Order, content.Hotspot, content.Scenario} {
		if !strings.Contains(doc, "\n### "+typ+"\n") {
			t.Errorf("%s has no section ### %s", formatDoc, typ)
		}
	}
}

var stepExample = regexp.MustCompile("(?s)<!-- check: step -->\n```yaml\n(.*?)```")

// TestFormatStepExamplesValidate puts each step example of FORMAT.md
// (the blocks marked <!-- check: step -->) into a module of the built-in
// pack, with its pictures, and validates it: an example a reader copies
// must be a step the kiosk accepts.
func TestFormatStepExamplesValidate(t *testing.T) {
	doc := readFormatDoc(t)
	blocks := stepExample.FindAllStringSubmatch(doc, -1)
	if len(blocks) < 5 {
		t.Fatalf("%s has %d checked step examples, want one per step type", formatDoc, len(blocks))
	}
	base := fstest.MapFS{}
	err := fs.WalkDir(builtin.FS(), "media", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(builtin.FS(), path)
		base[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The skeleton's kitchen picture, for the hotspot example taken from it.
	base["media/kitchen.svg"] = base["media/scenes/kitchen.svg"]
	base["pack.yaml"] = &fstest.MapFile{Data: []byte(`format: wufang-pack/1
id: doc-example
version: 1.0.0
title: {zh-CN: 示例, en: Example}
languages: [zh-CN, en]
modules: [fire]
attract:
  - title: {zh-CN: 触摸开始, en: Touch to start}
    body: {zh-CN: 轻触屏幕。, en: Touch the screen.}
`)}
	const module = `id: fire
title: {zh-CN: 消防安全, en: Fire safety}
summary: {zh-CN: 拨打119, en: Calling 119}
colour: "#C62828"
icon: media/icons/fire.svg
hotline: {number: "119", label: {zh-CN: 火警, en: Fire}}
pass_score: 60
remember: {zh-CN: 先逃生, en: Get out first}
steps:
`
	for _, b := range blocks {
		id := regexp.MustCompile(`id: ([a-z0-9-]+)`).FindStringSubmatch(b[1])
		if id == nil {
			t.Errorf("a checked step example has no id:\n%s", b[1])
			continue
		}
		t.Run(id[1], func(t *testing.T) {
			fsys := fstest.MapFS{}
			maps.Copy(fsys, base)
			fsys["modules/fire.yaml"] = &fstest.MapFile{Data: []byte(module + b[1])}
			_, problems := content.Check(fsys)
			for _, p := range problems {
				if p.Severity == content.SevError {
					t.Errorf("the example in %s is refused: %s", formatDoc, p)
				}
			}
		})
	}
}
