package content

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

const fire = "modules/fire.yaml"

// TestValidateRules changes one thing in a valid pack per case and expects
// exactly the problems listed, located and worded as staff will read them.
func TestValidateRules(t *testing.T) {
	r := func(file, old, new string) func(t *testing.T, m fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) { replace(t, m, file, old, new) }
	}
	put := func(name string, data []byte) func(t *testing.T, m fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) { m[name] = &fstest.MapFile{Data: data} }
	}
	cut := func(name, from string) func(t *testing.T, m fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) {
			s := string(m[name].Data)
			i := strings.Index(s, from)
			if i < 0 {
				t.Fatalf("%s has no %q", name, from)
			}
			m[name] = &fstest.MapFile{Data: []byte(s[:i])}
		}
	}
	both := func(fs ...func(t *testing.T, m fstest.MapFS)) func(t *testing.T, m fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) {
			for _, f := range fs {
				f(t, m)
			}
		}
	}
	cases := []struct {
		name   string
		mutate func(t *testing.T, m fstest.MapFS)
		want   []string
	}{
		// pack.yaml
		{"format missing", r("pack.yaml", "format: wufang-pack/1\n", ""), []string{
			"pack.yaml:5:1: error: format: is missing; write format: wufang-pack/1 as the first line of pack.yaml",
		}},
		{"format wrong", r("pack.yaml", "format: wufang-pack/1", "format: wufang-pack/2"), []string{
			"pack.yaml:5:9: error: format: \"wufang-pack/2\" is not a format this app reads; write format: wufang-pack/1",
		}},
		{"pack id", r("pack.yaml", "id: my-pack", "id: My_Pack"), []string{
			"pack.yaml:6:5: error: id: \"My_Pack\" is not a valid id; use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters, like my-pack",
		}},
		{"pack id missing", r("pack.yaml", "id: my-pack", "id: \"\""), []string{
			"pack.yaml:6:5: error: id: is missing; write an id like my-pack (use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters)",
		}},
		{"version not semver", r("pack.yaml", "version: 0.1.0 ", "version: 1.0 "), []string{
			"pack.yaml:7:10: error: version: \"1.0\" is not a version; write three numbers like 1.0.0 (major.minor.patch), and raise it for every new edition",
		}},
		{"version with a path", r("pack.yaml", "version: 0.1.0 ", "version: 0.1.0+a/../b "), []string{
			`pack.yaml:7:10: error: version: "0.1.0+a/../b" is not a version; write three numbers like 1.0.0 (major.minor.patch), and raise it for every new edition`,
		}},
		{"version missing", r("pack.yaml", "version: 0.1.0 ", "# no version "), []string{
			"pack.yaml:5:1: error: version: is missing; write the pack's version as three numbers, like version: 1.0.0",
		}},
		{"min_app_version", r("pack.yaml", "min_app_version: 0.1.0", "min_app_version: soon"), []string{
			"pack.yaml:12:18: error: min_app_version: \"soon\" is not a version; write the oldest app version that can show this pack, like 1.0.0, or leave the key out",
		}},
		{"language twice", r("pack.yaml", "[zh-CN, en]", "[zh-CN, en, en]"), []string{
			"pack.yaml:11:24: error: languages[2]: en is listed twice; keep one",
		}},
		{"language tag", r("pack.yaml", "[zh-CN, en]", "[zh-CN, en, Klingon]"), []string{
			"pack.yaml:11:24: error: languages[2]: \"Klingon\" is not a language tag; write tags like zh-CN or en",
		}},
		{"module unknown", r("pack.yaml", "modules: [fire]", "modules: [fire, cooking]"), []string{
			"pack.yaml:13:17: error: modules[1]: \"cooking\" is not a module of this app; use one of traffic, fire, fraud, drugs, disasters",
		}},
		{"module file missing", r("pack.yaml", "modules: [fire]", "modules: [fire, traffic]"), []string{
			"pack.yaml:13:17: error: modules[1]: module traffic is listed but modules/traffic.yaml is missing; add the file or remove traffic from the list",
		}},
		{"module twice", r("pack.yaml", "modules: [fire]", "modules: [fire, fire]"), []string{
			"pack.yaml:13:17: error: modules[1]: fire is listed twice; keep one",
		}},
		{"no modules", r("pack.yaml", "modules: [fire]", "modules: []"), []string{
			"pack.yaml:13:10: error: modules: is missing; list the modules in home-screen order, from: traffic, fire, fraud, drugs, disasters",
		}},
		{"no attract", cut("pack.yaml", "attract:"), []string{
			"pack.yaml:5:1: error: attract: is missing; add at least one slide for the idle screen (title, body, image)",
		}},
		{"slide seconds", r("pack.yaml", "seconds: 8", "seconds: -1"), []string{
			"pack.yaml:22:14: error: attract[0].seconds: -1 is not allowed; show a slide for 1 to 120 seconds, or leave the key out for the default (8)",
		}},
		{"text missing language", r("pack.yaml", "  en: My safety pack\n", ""), []string{
			"pack.yaml:9:3: error: title: has no en text; every visible text needs every language of the pack (zh-CN, en), add en: …",
		}},
		{"text empty", r("pack.yaml", "en: My safety pack", "en: \"  \""), []string{
			"pack.yaml:9:3: error: title: has no en text; every visible text needs every language of the pack (zh-CN, en), add en: …",
		}},
		{"text undeclared language", r("pack.yaml", "  en: My safety pack\n", "  en: My safety pack\n  fr: Mon paquet\n"), []string{
			"pack.yaml:11:7: error: title.fr: fr is not a language of this pack (zh-CN, en); remove it, or add it to languages in pack.yaml",
		}},
		{"text missing", r("pack.yaml", "title:\n  zh-CN: 我的安全课\n  en: My safety pack\n", ""), []string{
			"pack.yaml:5:1: error: title: is missing; write it in every language of the pack (zh-CN, en)",
		}},
		{"text over budget", r("pack.yaml", "en: My safety pack", "en: My safety pack, with a title far too long for any screen"), []string{
			"pack.yaml:10:7: warning: title.en: the en text is 56 wide, over its budget of 40 (a Chinese character counts 2); shorten it so it fits the screen without scrolling",
		}},
		{"cjk text over budget", r("pack.yaml", "zh-CN: 我的安全课", "zh-CN: 我的安全课我的安全课我的安全课我的安全课我的安全课"), []string{
			"pack.yaml:9:10: warning: title.zh-CN: the zh-CN text is 50 wide, over its budget of 40 (a Chinese character counts 2); shorten it so it fits the screen without scrolling",
		}},

		// module fields
		{"module id mismatch", r(fire, "id: fire ", "id: fires "), []string{
			"modules/fire.yaml:3:5: error: id: \"fires\" does not match the file name; the module in modules/fire.yaml must have id: fire",
		}},
		{"colour unquoted", r(fire, `colour: "#C62828"`, `colour: #C62828`), []string{
			"modules/fire.yaml:10:8: error: colour: is missing; write the module's colour in quotes, like colour: \"#D32F2F\" (without quotes YAML reads # as the start of a comment)",
		}},
		{"colour bad", r(fire, `colour: "#C62828"`, `colour: red`), []string{
			"modules/fire.yaml:10:9: error: colour: \"red\" is not a colour; write # and six hexadecimal digits in quotes, like \"#D32F2F\"",
		}},
		{"hotline number", r(fire, `number: "119"`, `number: "11-9"`), []string{
			"modules/fire.yaml:13:11: error: hotline.number: \"11-9\" is not a phone number; write 3 to 15 digits only, no spaces or dashes, like \"119\"",
		}},
		{"pass score missing", r(fire, "pass_score: 60", "pass_score: 0"), []string{
			"modules/fire.yaml:17:13: error: pass_score: is missing; write the percentage of first answers that must be right to pass, 1 to 100, like pass_score: 60",
		}},
		{"pass score too high", r(fire, "pass_score: 60", "pass_score: 150"), []string{
			"modules/fire.yaml:17:13: error: pass_score: 150 is not a percentage; write a whole number from 1 to 100, like 60",
		}},
		{"no steps", cut(fire, "steps:"), []string{
			"modules/fire.yaml:3:1: error: steps: is missing; a module needs at least one step (lesson, choice, order, hotspot or scenario)",
		}},
		{"step id twice", r(fire, "id: fire-lift", "id: fire-call"), []string{
			"modules/fire.yaml:32:9: error: steps[1].id: step id fire-call is already used in modules/fire.yaml line 22; every step id must be unique in the pack, rename one",
		}},
		{"step id bad", r(fire, "id: fire-lift", "id: Fire Lift"), []string{
			"modules/fire.yaml:32:9: error: steps[1].id: \"Fire Lift\" is not a valid id; use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters, like fire-q1",
		}},
		{"step type unknown", r(fire, "type: choice", "type: quiz"), []string{
			"modules/fire.yaml:33:11: error: steps[1].type: \"quiz\" is not a step type; use lesson, choice, order, hotspot or scenario",
		}},
		{"field not for type", r(fire, "    image: media/icon.svg   # optional", "    prompt: {zh-CN: 问, en: Ask}"), []string{
			"modules/fire.yaml:30:13: error: steps[0].prompt: is not used by a lesson step; remove it, or change the type",
		}},

		// choice
		{"choice one option", r(fire, "      - text: {zh-CN: 坐电梯, en: Take the lift}\n", ""), []string{
			"modules/fire.yaml:38:7: error: steps[1].options: a choice step needs at least 2 options, and it has 1; add options",
		}},
		{"choice five options", r(fire, "      - text: {zh-CN: 坐电梯, en: Take the lift}\n", strings.Repeat("      - text: {zh-CN: 坐电梯, en: Take the lift}\n", 4)), []string{
			"modules/fire.yaml:38:7: error: steps[1].options: a choice step can have at most 4 options, and it has 5; remove some",
		}},
		{"choice none correct", r(fire, "        correct: true\n    explanation:\n      zh-CN: 着火时", "    explanation:\n      zh-CN: 着火时"), []string{
			"modules/fire.yaml:38:7: error: steps[1].options: no option is marked correct; add correct: true to the right answer (or answers)",
		}},
		{"choice all correct", r(fire, "      - text: {zh-CN: 坐电梯, en: Take the lift}\n", "      - text: {zh-CN: 坐电梯, en: Take the lift}\n        correct: true\n"), []string{
			"modules/fire.yaml:38:7: error: steps[1].options: every option is marked correct, so there is nothing to choose; keep correct: true only on the right answers",
		}},
		{"choice no explanation", r(fire, "    explanation:\n      zh-CN: 着火时电梯可能停电，烟也会进入电梯井。\n      en: In a fire the lift can stop, and smoke fills the lift shaft.\n", ""), []string{
			"modules/fire.yaml:32:5: error: steps[1].explanation: is missing; write it in every language of the pack (zh-CN, en)",
		}},

		// order
		{"order too few", r(fire, "      - {zh-CN: 对准火焰根部, en: Aim at the base of the flames}\n      - {zh-CN: 压下压把, en: Press the handle}\n", ""), []string{
			"modules/fire.yaml:51:7: error: steps[2].items: an order step needs at least 3 items to put in order, and it has 2; add items",
		}},

		// hotspot
		{"target past right edge", r(fire, "x: 0.55", "x: 0.8"), []string{
			"modules/fire.yaml:72:12: error: steps[3].targets[0].w: x + w is 1.1, past the right edge of the picture; make x or w smaller so x + w is at most 1",
		}},
		{"target past bottom", r(fire, "y: 0.35", "y: 0.75"), []string{
			"modules/fire.yaml:73:12: error: steps[3].targets[0].h: y + h is 1.05, past the bottom edge of the picture; make y or h smaller so y + h is at most 1",
		}},
		{"target negative", r(fire, "y: 0.35", "y: -0.1"), []string{
			"modules/fire.yaml:71:12: error: steps[3].targets[0].y: -0.1 is outside the picture; x, y, w and h are fractions of the picture's size, from 0 to 1",
		}},
		{"target no area", r(fire, "w: 0.3", "w: 0"), []string{
			"modules/fire.yaml:66:9: error: steps[3].targets[0]: the target has no area (w: 0, h: 0.3); give w and h as fractions of the picture, like w: 0.2",
		}},
		{"hotspot image missing", r(fire, "    image: media/kitchen.svg\n", ""), []string{
			"modules/fire.yaml:59:5: error: steps[3].image: is missing; give the path of a PNG, JPEG or SVG picture in the pack, like media/scene.svg",
		}},
		{"target id bad", r(fire, "- id: pan", "- id: \"\""), []string{
			"modules/fire.yaml:66:13: error: steps[3].targets[0].id: is missing; write an id like pan-handle (use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters)",
		}},

		// scenario
		{"scenario start unknown", r(fire, "start: smoke", "start: fire"), []string{
			"modules/fire.yaml:95:12: error: steps[4].start: \"fire\" is not a situation of this scenario; write the id of one of its situations",
		}},
		{"scenario next unknown", r(fire, "next: door", "next: window"), []string{
			"modules/fire.yaml:103:19: error: steps[4].situations[0].choices[0].next: \"window\" is not a situation of this scenario; write the id of one of its situations",
			"modules/fire.yaml:109:9: error: steps[4].situations[1]: situation door can never be reached from the start (smoke); lead a choice to it with next: door, or remove it",
		}},
		{"scenario outcome unknown", r(fire, "outcome: safe", "outcome: saved"), []string{
			"modules/fire.yaml:115:22: error: steps[4].situations[1].choices[0].outcome: \"saved\" is not an outcome of this scenario; write the id of one of its outcomes",
			"modules/fire.yaml:119:9: warning: steps[4].outcomes[0]: outcome safe is never reached; lead a choice to it with outcome: safe, or remove it",
		}},
		{"scenario branch both", r(fire, "            next: door\n", "            next: door\n            outcome: safe\n"), []string{
			"modules/fire.yaml:102:13: error: steps[4].situations[0].choices[0]: has both next and outcome; a choice leads either to the next situation (next) or to an ending (outcome), keep one",
			"modules/fire.yaml:110:9: error: steps[4].situations[1]: situation door can never be reached from the start (smoke); lead a choice to it with next: door, or remove it",
		}},
		{"scenario branch nowhere", r(fire, "            next: door\n", ""), []string{
			"modules/fire.yaml:102:13: error: steps[4].situations[0].choices[0]: leads nowhere; add next: <situation id> or outcome: <outcome id>",
			"modules/fire.yaml:108:9: error: steps[4].situations[1]: situation door can never be reached from the start (smoke); lead a choice to it with next: door, or remove it",
		}},
		{"scenario unreachable", r(fire, "    outcomes:\n", "      - id: lost\n        text: {zh-CN: 迷路, en: Lost}\n        choices:\n          - {text: {zh-CN: 甲, en: A}, outcome: safe}\n          - {text: {zh-CN: 乙, en: B}, outcome: trapped}\n    outcomes:\n"), []string{
			"modules/fire.yaml:118:9: error: steps[4].situations[2]: situation lost can never be reached from the start (smoke); lead a choice to it with next: lost, or remove it",
		}},
		{"scenario loop without exit", both(r(fire, "            outcome: safe\n", "            next: door\n"), r(fire, "          - text: {zh-CN: 坐电梯, en: Take the lift}\n            outcome: trapped", "          - text: {zh-CN: 坐电梯, en: Take the lift}\n            next: door")), []string{
			"modules/fire.yaml:109:9: error: steps[4].situations[1]: from situation door no choice ever leads to an outcome, so the visitor would go round in circles; make a choice here or after it end with outcome: <id>",
			"modules/fire.yaml:119:9: warning: steps[4].outcomes[0]: outcome safe is never reached; lead a choice to it with outcome: safe, or remove it",
		}},
		{"scenario no good outcome", r(fire, "good: true", "good: false"), []string{
			"modules/fire.yaml:119:7: error: steps[4].outcomes: has no good outcome; mark the safe ending with good: true",
		}},
		{"scenario no bad outcome", r(fire, "good: false", "good: true"), []string{
			"modules/fire.yaml:119:7: error: steps[4].outcomes: has no bad outcome; a scenario teaches by showing what goes wrong too, add an ending with good: false",
		}},
		{"situation one choice", r(fire, "          - text: {zh-CN: 坐电梯, en: Take the lift}\n            outcome: trapped\n", ""), []string{
			"modules/fire.yaml:114:11: error: steps[4].situations[1].choices: a situation needs at least 2 choices, and it has 1; add choices",
		}},

		// media
		{"media missing", r(fire, "icon: media/icon.svg", "icon: media/nope.svg"), []string{
			"modules/fire.yaml:11:7: error: icon: media/nope.svg does not exist in the pack; check the spelling or add the file",
		}},
		{"media type", r(fire, "icon: media/icon.svg", "icon: media/icon.gif"), []string{
			"modules/fire.yaml:11:7: error: icon: \"media/icon.gif\" is not a PNG, JPEG or SVG file; convert the image to one of those (.png, .jpg, .svg)",
		}},
		{"media path escapes", r(fire, "icon: media/icon.svg", "icon: ../icon.svg"), []string{
			"modules/fire.yaml:11:7: error: icon: \"../icon.svg\" is not a path inside the pack; write it relative to the pack folder without .. or ./, like media/fire.svg",
		}},
		{"media absolute", r(fire, "icon: media/icon.svg", "icon: /etc/icon.svg"), []string{
			"modules/fire.yaml:11:7: error: icon: \"/etc/icon.svg\" is an absolute path; write it relative to the pack folder, like media/fire.svg",
		}},
		{"png too large", both(r(fire, "icon: media/icon.svg", "icon: media/big.png"), put("media/big.png", pngOf(t, MaxImageSide+1, 1))), []string{
			"modules/fire.yaml:11:7: error: icon: media/big.png is 4097×1 pixels; the limit is 4096×4096, scale the image down",
		}},
		{"png bomb header", both(r(fire, "icon: media/icon.svg", "icon: media/bomb.png"), put("media/bomb.png", pngHeaderOnly(t, 100000, 100000))), []string{
			"modules/fire.yaml:11:7: error: icon: media/bomb.png is 100000×100000 pixels; the limit is 4096×4096, scale the image down",
		}},
		{"png named jpg", both(r(fire, "icon: media/icon.svg", "icon: media/photo.jpg"), put("media/photo.jpg", pngOf(t, 4, 4))), []string{
			"modules/fire.yaml:11:7: error: icon: media/photo.jpg holds a PNG image but its name ends in .jpg; rename it to match what it is",
		}},
		{"png damaged", both(r(fire, "icon: media/icon.svg", "icon: media/cut.png"), put("media/cut.png", pngOf(t, 64, 64)[:60])), []string{
			"modules/fire.yaml:11:7: error: icon: media/cut.png has a valid header but its picture data is damaged (png: invalid format: not enough pixel data); export it again",
		}},
		{"jpeg ok", both(r(fire, "icon: media/icon.svg", "icon: media/photo.jpg"), put("media/photo.jpg", jpegOf(t, 8, 8))), nil},
		{"file over 4 MiB", both(r(fire, "icon: media/icon.svg", "icon: media/huge.png"), put("media/huge.png", make([]byte, MaxImageBytes+1))), []string{
			"modules/fire.yaml:11:7: error: icon: media/huge.png is larger than 4 MiB; make the image smaller (at most 4096×4096 pixels is plenty) or save it with more compression",
		}},
		{"svg no size", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: has neither a viewBox nor a width and height, so its shape is unknown; add viewBox=\"0 0 W H\" to the <svg> element",
		}},
		{"svg script", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: contains <script>; remove it, the kiosk shows pictures only",
		}},
		{"svg external link", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1"><image xlink:href="http://example.com/a.png"/></svg>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: links to \"http://example.com/a.png\"; an SVG in a pack must be self-contained, embed the picture or remove the link",
		}},
		{"svg entity", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: declares XML entities (<!ENTITY>); remove the DOCTYPE, SVG files for the kiosk do not need one",
		}},
		{"svg broken", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<svg viewBox="0 0 1 1"><g></svg>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: is not a well-formed SVG file (XML syntax error on line 1: element <g> closed by </svg>); open it in an SVG editor and save it again",
		}},
		{"svg too wide", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10000" height="10" viewBox="0 0 1 1"/>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: says it is 10000×10 pixels; the limit is 4096×4096, make width and height smaller (the viewBox keeps the drawing)",
		}},
		{"svg not svg", both(r(fire, "icon: media/icon.svg", "icon: media/x.svg"), put("media/x.svg", []byte(`<html/>`))), []string{
			"modules/fire.yaml:11:7: error: icon: media/x.svg: starts with <html>, not <svg>; it is not an SVG image",
		}},

		// strict YAML (found by the loader)
		{"unknown key", r(fire, "pass_score: 60", "pass_mark: 60"), []string{
			"modules/fire.yaml:17:1: error: pass_mark: is not a known key; allowed here: id, title, summary, colour, icon, hotline, pass_score, remember, steps, banks",
		}},
		{"wrong type", r(fire, "pass_score: 60", "pass_score: sixty"), []string{
			"modules/fire.yaml:17:13: error: pass_score: \"sixty\" is not a whole number; write it like 80",
		}},
		{"list expected", r(fire, "    items:\n", "    items: many\n    x_items:\n"), []string{
			"modules/fire.yaml:50:12: error: steps[2].items: must be a list (one \"- item\" per line), not \"many\"",
			"modules/fire.yaml:51:5: error: steps[2].x_items: is not a known key; allowed here: id, type, title, image, body, prompt, options, items, targets, decoys, explanation, shuffle, bank, start, situations, outcomes",
		}},
		{"duplicate key", r(fire, "pass_score: 60", "pass_score: 60\npass_score: 70"), []string{
			"modules/fire.yaml:18:1: error: pass_score: is written twice; keep one",
		}},
		{"duplicate language", r(fire, "  en: Fire safety\n", "  en: Fire safety\n  en: Fire\n"), []string{
			"modules/fire.yaml:7:3: error: title.en: is written twice; keep one",
		}},
		// the rules behind the second edition of the built-in pack (issue 18)
		{"hotspot without decoy", r(fire, decoysBlock, ""), []string{
			"modules/fire.yaml:66:7: warning: steps[3].targets: the picture has no decoy, so every thing in it is a hazard and tapping at random wins; add decoys: a safe thing to tell apart, with a label saying why it is safe",
		}},
		{"decoy id of a target", r(fire, "      - id: fridge", "      - id: pan"), []string{
			"modules/fire.yaml:75:13: error: steps[3].decoys[0].id: decoy id pan is used twice in this step (targets and decoys share ids); rename one",
		}},
		{"option ids twice", r(fire, "      - text: {zh-CN: 坐电梯, en: Take the lift}\n      - text: {zh-CN: 走楼梯, en: Take the stairs}",
			"      - {id: x, text: {zh-CN: 坐电梯, en: Take the lift}}\n      - id: x\n        text: {zh-CN: 走楼梯, en: Take the stairs}"), []string{
			"modules/fire.yaml:39:13: error: steps[1].options[1].id: option id x is used twice in this step; rename one",
		}},
		{"shuffle on an order step", r(fire, "    type: order ", "    shuffle: false\n    type: order "), []string{
			"modules/fire.yaml:46:14: error: steps[2].shuffle: is not used by an order step; remove it, or change the type",
		}},
		{"shuffle not true or false", r(fire, "    type: choice ", "    shuffle: no\n    type: choice "), []string{
			"modules/fire.yaml:33:14: error: steps[1].shuffle: \"no\" is not allowed; write true or false",
		}},
		{"bank apart", both(r(fire, "    type: choice ", "    bank: a\n    type: choice "), r(fire, "    type: hotspot ", "    bank: a\n    type: hotspot ")), []string{
			"modules/fire.yaml:61:11: error: steps[3].bank: the steps of bank a must follow one another, and step fire-order comes between them; move the bank's steps together",
		}},
		{"bank on a lesson", r(fire, "    type: lesson", "    bank: a\n    type: lesson"), []string{
			"modules/fire.yaml:23:11: error: steps[0].bank: is not used by a lesson step; remove it, or change the type",
		}},
		{"bank draws more than it has", both(r(fire, "    type: choice ", "    bank: a\n    type: choice "), r(fire, "    type: order ", "    bank: a\n    type: order "), appendTo(fire, "banks:\n  - {id: a, draw: 3}\n")), []string{
			"modules/fire.yaml:137:19: error: banks[0].draw: the bank has only 2 steps, so a visit cannot draw 3; add steps or lower draw",
		}},
		{"bank draws all", both(r(fire, "    type: choice ", "    bank: a\n    type: choice "), r(fire, "    type: order ", "    bank: a\n    type: order "), appendTo(fire, "banks:\n  - {id: a, draw: 2}\n")), []string{
			"modules/fire.yaml:47:11: warning: steps[2].bank: bank a has 2 steps and a visit draws 2, so every visit shows them all; add steps to draw from, or take the steps out of the bank",
		}},
		{"bank draws one of two", both(r(fire, "    type: choice ", "    bank: a\n    type: choice "), r(fire, "    type: order ", "    bank: a\n    type: order ")), nil},
		{"bank listed but unused", appendTo(fire, "banks:\n  - {id: b, draw: 1}\n  - {id: b, draw: 0}\n"), []string{
			"modules/fire.yaml:135:10: error: banks[0].id: no step is in bank b; give its steps bank: b, or remove it from banks",
			"modules/fire.yaml:136:10: error: banks[1].id: bank b is listed twice; keep one",
		}},
		{"four lessons in a row", r(fire, "  - id: fire-lift\n", lessons(3)+"  - id: fire-lift\n"), []string{
			"modules/fire.yaml:34:5: warning: steps[3]: this is lesson 4 in a row; after at most 3 lessons ask a question about them (a visitor remembers what they just used)",
		}},
		{"visit too long", both(r(fire, "steps:\n", "steps:\n"+choices(6, false)), r(fire, "  - id: fire-lift\n", lessons(1)+"  - id: fire-lift\n")), []string{
			"modules/fire.yaml:22:3: warning: steps: a visit of this module shows 12 steps, over 10; keep it to a few minutes by putting alternative questions in banks (bank:, banks:) or by cutting lessons",
			"modules/fire.yaml:22:3: warning: steps: in 6 of the 7 single-answer choice steps the right option is written first; vary where it is written (the kiosk shuffles, but on paper and with shuffle: false the pattern gives the answer away)",
		}},
		{"visit fits with a bank", r(fire, "steps:\n", "steps:\n"+choices(6, true)), []string{
			"modules/fire.yaml:22:3: warning: steps: in 6 of the 7 single-answer choice steps the right option is written first; vary where it is written (the kiosk shuffles, but on paper and with shuffle: false the pattern gives the answer away)",
		}},
		{"right answer mostly first", r(fire, "steps:\n", "steps:\n"+choices(4, false)), []string{
			"modules/fire.yaml:22:3: warning: steps: in 4 of the 5 single-answer choice steps the right option is written first; vary where it is written (the kiosk shuffles, but on paper and with shuffle: false the pattern gives the answer away)",
		}},
		{"alias", r(fire, "title:\n  zh-CN: 消防安全", "title: &t\n  zh-CN: 消防安全"), nil},
		{"alias used", both(r(fire, "title:\n  zh-CN: 消防安全\n  en: Fire safety\n", "title: &t\n  zh-CN: 消防安全\n  en: Fire safety\n"), r(fire, "summary:\n  zh-CN: 拨打119、火场逃生\n  en: Calling 119, getting out\n", "summary: *t\n")), []string{
			"modules/fire.yaml:7:10: error: uses a YAML alias (*t); aliases are not allowed in a pack, write the value out in full",
		}},
		{"not utf8", r(fire, "Fire safety", "Fire s\xe4fety"), []string{
			"modules/fire.yaml:6:13: error: is not UTF-8 text; save the file as UTF-8 (in most editors: Save As, encoding UTF-8)",
		}},
		{"bad yaml", r(fire, "pass_score: 60", "pass_score: [60"), []string{
			"modules/fire.yaml:17:1: error: is not valid YAML near here: did not find expected ',' or ']'; inside {…} or […], put texts that contain ? : , # [ ] { } in quotes",
		}},
		{"two documents", r(fire, "pass_score: 60", "pass_score: 60\n---\nid: x"), []string{
			"modules/fire.yaml:18:1: error: is not valid YAML near here: a second document starts here (---); a pack file holds one document",
		}},
		{"bool for text", r(fire, "icon: media/icon.svg", "icon: true"), []string{
			"modules/fire.yaml:11:7: error: icon: must be text; put true in quotes if you mean it as text",
		}},
		{"pack.yaml missing", func(t *testing.T, m fstest.MapFS) { delete(m, "pack.yaml") }, []string{
			"pack.yaml: error: the file is missing; every pack needs pack.yaml at its top level (wufang-pack init makes one)",
		}},
		{"pack.yaml not a mapping", put("pack.yaml", []byte("- a\n- b\n")), []string{
			"pack.yaml:1:1: error: the file must be a mapping of keys to values (key: value per line), not a list",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := goodFS(t)
			c.mutate(t, m)
			_, probs := Check(m)
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
				t.Logf("WANT %q: %#v", c.name, got)
			}
		})
	}
}

func jpegOf(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestValidateLargeScenario: a scenario of many situations (a hostile pack
// can hold tens of thousands in 1 MiB) is checked in linear time: a chain
// where only the last situation ends, written backwards so that a
// fixed-point search would need one pass per situation.
func TestValidateLargeScenario(t *testing.T) {
	const n = 30000
	text := Text{"en": "x"}
	s := Step{ID: "s", Type: Scenario, Start: fmt.Sprintf("s%d", n-1),
		Outcomes: []Outcome{{ID: "good", Good: true, Title: text, Text: text}, {ID: "bad", Title: text, Text: text}}}
	for i := n - 1; i >= 0; i-- {
		st := Situation{ID: fmt.Sprintf("s%d", i), Text: text}
		if i == 0 {
			st.Choices = []Branch{{Text: text, Outcome: "good"}, {Text: text, Outcome: "bad"}}
		} else {
			st.Choices = []Branch{{Text: text, Next: fmt.Sprintf("s%d", i-1)}, {Text: text, Next: st.ID}}
		}
		s.Situations = append(s.Situations, st)
	}
	p := &Pack{Languages: []string{"en"}}
	v := &validator{p: p, fsys: fstest.MapFS{}, media: map[string]bool{}, steps: map[string]string{}, langs: []string{"en"}}
	v.scenario("steps[0]", &s)
	if len(v.probs) != 0 {
		t.Fatalf("problems: %v", v.probs[:min(3, len(v.probs))])
	}
	// No time limit is asserted (the machine may be busy); the quadratic
	// search this replaced took minutes here, the walk takes milliseconds.
	// Now the last situation loops back: no path ends.
	last := s.Situations[len(s.Situations)-1].Choices
	last[0].Outcome, last[0].Next = "", "s1"
	last[1].Outcome, last[1].Next = "", "s1"
	v.scenario("steps[0]", &s)
	if len(v.probs) != n+2 || !strings.Contains(v.probs[0].Msg, "no choice ever leads to an outcome") {
		t.Errorf("loop without exit: %d problems, first %v", len(v.probs), v.probs[0])
	}
}

func TestManyLanguagesAndProblems(t *testing.T) {
	m := goodFS(t)
	replace(t, m, "pack.yaml", "[zh-CN, en]", "[zh-CN, en, fr, de, es, it, ja, ko]")
	_, probs := Check(m)
	want := "pack.yaml:11:40: error: languages[6]: a pack can have at most 6 languages; remove ja and the ones after it"
	if !slices.ContainsFunc(probs, func(p Problem) bool { return p.String() == want }) || slices.ContainsFunc(probs, func(p Problem) bool { return p.Key == "languages[7]" }) {
		t.Errorf("problems %v; want %s", probs, want)
	}

	m = goodFS(t)
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "  - {id: q%d, type: quiz}\n", i)
	}
	m[fire].Data = append(m[fire].Data, b.String()...)
	_, probs = Check(m)
	if len(probs) != MaxProblems+1 || probs[MaxProblems].String() != "modules/fire.yaml:333:22: error: and 101 more problems; fix the ones above first" {
		t.Errorf("%d problems, last %v", len(probs), probs[len(probs)-1])
	}
}
