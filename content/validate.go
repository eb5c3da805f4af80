package content

import (
	"fmt"
	"io/fs"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/version"
	"golang.org/x/text/language"
)

var (
	colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	digitsPattern = regexp.MustCompile(`^[0-9]{3,15}$`)
)

// validLang reports whether a pack language is a well-formed BCP 47 tag
// that the wire contract carries (the kiosk puts it in its events).
func validLang(s string) bool {
	_, err := language.Parse(s)
	return err == nil && wire.ValidLang(s)
}

// MaxLanguages is the most languages a pack may declare; the kiosk shows
// one button per language.
const MaxLanguages = 6

const idRule = "use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters"

// Validate checks a loaded pack against everything the kiosk relies on and
// returns every problem found, errors and warnings, in file order. fsys is
// the file system the pack was loaded from; its media are opened, checked
// from their headers and decoded. A pack with no errors is safe to install;
// warnings (texts over their budget) should be fixed but do not stop it.
func Validate(p *Pack, fsys fs.FS) []Problem {
	v := &validator{p: p, fsys: fsys, media: map[string]bool{}, steps: map[string]string{}}
	v.pack()
	for _, m := range p.Mods {
		v.module(m)
	}
	sortProblems(v.probs)
	return v.probs
}

type validator struct {
	p     *Pack
	fsys  fs.FS
	probs []Problem
	langs []string        // the pack's valid languages
	media map[string]bool // media already checked
	steps map[string]string
	file  string // file being checked
}

func (v *validator) add(sev Severity, key, format string, args ...any) {
	at := v.p.src.at(v.file, key)
	v.probs = append(v.probs, Problem{File: v.file, Line: at.Line, Col: at.Col, Severity: sev, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) errorf(key, format string, args ...any) { v.add(SevError, key, format, args...) }
func (v *validator) warnf(key, format string, args ...any)  { v.add(SevWarning, key, format, args...) }

func (v *validator) pack() {
	p := v.p
	v.file = manifestName
	switch p.Format {
	case Format:
	case "":
		v.errorf("format", "is missing; write format: %s as the first line of pack.yaml", Format)
	default:
		v.errorf("format", "%q is not a format this app reads; write format: %s", p.Format, Format)
	}
	v.id("id", p.ID, "my-pack")
	if p.Version == "" {
		v.errorf("version", "is missing; write the pack's version as three numbers, like version: 1.0.0")
	} else if !version.Valid(p.Version) {
		v.errorf("version", "%q is not a version; write three numbers like 1.0.0 (major.minor.patch), and raise it for every new edition", p.Version)
	}
	if p.MinAppVersion != "" {
		if !version.Valid(p.MinAppVersion) {
			v.errorf("min_app_version", "%q is not a version; write the oldest app version that can show this pack, like 1.0.0, or leave the key out", p.MinAppVersion)
		}
	}
	if len(p.Languages) == 0 {
		v.errorf("languages", "is missing; list the pack's languages, the default first, like languages: [zh-CN, en]")
	}
	tooMany := false
	for i, l := range p.Languages {
		key := fmt.Sprintf("languages[%d]", i)
		switch {
		case tooMany:
			continue
		case len(v.langs) == MaxLanguages:
			v.errorf(key, "a pack can have at most %d languages; remove %s and the ones after it", MaxLanguages, l)
			tooMany = true
		case !validLang(l):
			v.errorf(key, "%q is not a language tag; write tags like zh-CN or en", l)
		case slices.Contains(v.langs, l):
			v.errorf(key, "%s is listed twice; keep one", l)
		default:
			v.langs = append(v.langs, l)
		}
	}
	v.text("title", p.Title, true, MaxTitle)
	if len(p.Modules) == 0 {
		v.errorf("modules", "is missing; list the modules in home-screen order, from: %s", strings.Join(ModuleIDs, ", "))
	}
	seen := map[string]bool{}
	for i, id := range p.Modules {
		key := fmt.Sprintf("modules[%d]", i)
		switch {
		case !slices.Contains(ModuleIDs, id):
			v.errorf(key, "%q is not a module of this app; use one of %s", id, strings.Join(ModuleIDs, ", "))
		case seen[id]:
			v.errorf(key, "%s is listed twice; keep one", id)
		default:
			seen[id] = true
			if _, err := fs.Stat(v.fsys, ModuleFile(id)); err != nil {
				v.errorf(key, "module %s is listed but %s is missing; add the file or remove %s from the list", id, ModuleFile(id), id)
			}
		}
	}
	if len(p.Attract) == 0 {
		v.errorf("attract", "is missing; add at least one slide for the idle screen (title, body, image)")
	}
	for i, s := range p.Attract {
		key := fmt.Sprintf("attract[%d]", i)
		v.text(key+".title", s.Title, true, MaxTitle)
		v.text(key+".body", s.Body, false, MaxBody)
		v.image(key+".image", s.Image, false)
		if s.Seconds < 0 || s.Seconds > 120 {
			v.errorf(key+".seconds", "%d is not allowed; show a slide for 1 to 120 seconds, or leave the key out for the default (8)", s.Seconds)
		}
	}
}

func (v *validator) id(key, id, example string) bool {
	switch {
	case id == "":
		v.errorf(key, "is missing; write an id like %s (%s)", example, idRule)
	case !wire.ValidID(id):
		v.errorf(key, "%q is not a valid id; %s, like %s", id, idRule, example)
	default:
		return true
	}
	return false
}

// text checks a visible text: every language of the pack, nothing else,
// and within its budget.
func (v *validator) text(key string, t Text, required bool, budget int) {
	if len(t) == 0 {
		if required {
			v.errorf(key, "is missing; write it in every language of the pack (%s)", strings.Join(v.langs, ", "))
		}
		return
	}
	for _, l := range v.langs {
		s, ok := t[l]
		if !ok || strings.TrimSpace(s) == "" {
			v.errorf(key, "has no %s text; every visible text needs every language of the pack (%s), add %s: …", l, strings.Join(v.langs, ", "), l)
			continue
		}
		if w := Width(s); w > budget {
			v.warnf(key+"."+l, "the %s text is %d wide, over its budget of %d (a Chinese character counts 2); shorten it so it fits the screen without scrolling", l, w, budget)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(v.langs, l) {
			v.errorf(key+"."+l, "%s is not a language of this pack (%s); remove it, or add it to languages in pack.yaml", l, strings.Join(v.langs, ", "))
		}
	}
}

// image checks a media reference and, the first time it is seen, the file.
func (v *validator) image(key, name string, required bool) {
	if name == "" {
		if required {
			v.errorf(key, "is missing; give the path of a PNG, JPEG or SVG picture in the pack, like media/scene.svg")
		}
		return
	}
	if msg := checkMediaPath(name); msg != "" {
		v.errorf(key, "%s", msg)
		return
	}
	data, err := readMedia(v.fsys, name)
	if err != nil {
		v.errorf(key, "%v", err)
		return
	}
	if v.media[name] {
		return
	}
	v.media[name] = true
	if _, err := checkImage(name, data); err != nil {
		v.errorf(key, "%v", err)
	}
}

func (v *validator) module(m *Module) {
	v.file = ModuleFile(m.ID)
	if f, ok := v.p.src.moduleFile(m); ok {
		v.file = f
	}
	want := strings.TrimSuffix(strings.TrimPrefix(v.file, modulesDir+"/"), ".yaml")
	switch {
	case m.ID == "":
		v.errorf("id", "is missing; write id: %s (the module's id is its file name)", want)
	case m.ID != want:
		v.errorf("id", "%q does not match the file name; the module in %s must have id: %s", m.ID, v.file, want)
	}
	v.text("title", m.Title, true, MaxTitle)
	v.text("summary", m.Summary, true, MaxSummary)
	switch {
	case m.Colour == "":
		v.errorf("colour", "is missing; write the module's colour in quotes, like colour: \"#D32F2F\" (without quotes YAML reads # as the start of a comment)")
	case !colourPattern.MatchString(m.Colour):
		v.errorf("colour", "%q is not a colour; write # and six hexadecimal digits in quotes, like \"#D32F2F\"", m.Colour)
	}
	v.image("icon", m.Icon, true)
	switch {
	case m.Hotline.Number == "":
		v.errorf("hotline.number", "is missing; write the number visitors should call, in quotes, like number: \"119\"")
	case !digitsPattern.MatchString(m.Hotline.Number):
		v.errorf("hotline.number", "%q is not a phone number; write 3 to 15 digits only, no spaces or dashes, like \"119\"", m.Hotline.Number)
	}
	v.text("hotline.label", m.Hotline.Label, true, MaxHotlineLabel)
	if m.PassScore < 1 || m.PassScore > 100 {
		if m.PassScore == 0 {
			v.errorf("pass_score", "is missing; write the percentage of first answers that must be right to pass, 1 to 100, like pass_score: 60")
		} else {
			v.errorf("pass_score", "%d is not a percentage; write a whole number from 1 to 100, like 60", m.PassScore)
		}
	}
	v.text("remember", m.Remember, true, MaxExplanation)
	if len(m.Steps) == 0 {
		v.errorf("steps", "is missing; a module needs at least one step (lesson, choice, order, hotspot or scenario)")
	}
	for i := range m.Steps {
		v.step(fmt.Sprintf("steps[%d]", i), &m.Steps[i])
	}
	v.banks(m)
	v.rhythm(m)
	v.answerPositions(m)
}

// banks checks the question banks: each bank's steps follow one another
// (so where it shows in a visit does not depend on the draw), and every
// draw is between 1 and the bank's size.
func (v *validator) banks(m *Module) {
	size := map[string]int{}
	last := map[string]int{} // index of the bank's last step so far
	for i, s := range m.Steps {
		if s.Bank == "" || !Question(s.Type) {
			continue
		}
		key := fmt.Sprintf("steps[%d].bank", i)
		if !v.id(key, s.Bank, "crossing-check") {
			continue
		}
		if j, ok := last[s.Bank]; ok && j != i-1 {
			v.errorf(key, "the steps of bank %s must follow one another, and step %s comes between them; move the bank's steps together", s.Bank, m.Steps[i-1].ID)
		}
		last[s.Bank] = i
		size[s.Bank]++
	}
	declared := map[string]bool{}
	for i, b := range m.Banks {
		key := fmt.Sprintf("banks[%d]", i)
		if !v.id(key+".id", b.ID, "crossing-check") {
			continue
		}
		if declared[b.ID] {
			v.errorf(key+".id", "bank %s is listed twice; keep one", b.ID)
			continue
		}
		declared[b.ID] = true
		n, used := size[b.ID]
		switch {
		case !used:
			v.errorf(key+".id", "no step is in bank %s; give its steps bank: %s, or remove it from banks", b.ID, b.ID)
		case b.Draw < 1:
			v.errorf(key+".draw", "%d is not allowed; write how many of the bank's %d steps a visit shows, at least 1", b.Draw, n)
		case b.Draw > n:
			v.errorf(key+".draw", "the bank has only %d steps, so a visit cannot draw %d; add steps or lower draw", n, b.Draw)
		}
	}
	for i, s := range m.Steps {
		if s.Bank == "" || !Question(s.Type) || last[s.Bank] != i || !wire.ValidID(s.Bank) {
			continue
		}
		if n, d := size[s.Bank], m.DrawOf(s.Bank); n == d {
			v.warnf(fmt.Sprintf("steps[%d].bank", i), "bank %s has %d steps and a visit draws %d, so every visit shows them all; add steps to draw from, or take the steps out of the bank", s.Bank, n, d)
		}
	}
}

// visitSlots walks the steps one visit shows, a question bank counting as
// the steps it draws: fn gets the index of each step outside a bank and of
// each bank's first step, and how many steps it stands for.
func visitSlots(m *Module, fn func(i, n int)) {
	for i, s := range m.Steps {
		if s.Bank != "" && Question(s.Type) {
			if i > 0 && m.Steps[i-1].Bank == s.Bank {
				continue
			}
			fn(i, m.DrawOf(s.Bank))
			continue
		}
		fn(i, 1)
	}
}

// rhythm warns about a module visit that is too long for a visitor
// standing at a kiosk, or that reads several lessons before asking
// anything.
func (v *validator) rhythm(m *Module) {
	total, run := 0, 0
	visitSlots(m, func(i, n int) {
		total += max(n, 0)
		if m.Steps[i].Type != Lesson {
			run = 0
			return
		}
		if run++; run == MaxLessonsInARow+1 {
			v.warnf(fmt.Sprintf("steps[%d]", i), "this is lesson %d in a row; after at most %d lessons ask a question about them (a visitor remembers what they just used)", run, MaxLessonsInARow)
		}
	})
	if total > MaxVisitSteps {
		v.warnf("steps", "a visit of this module shows %d steps, over %d; keep it to a few minutes by putting alternative questions in banks (bank:, banks:) or by cutting lessons", total, MaxVisitSteps)
	}
}

// answerPositions warns when most single-answer choice steps of a module
// have their right option written at the same position. The kiosk shuffles
// options, but packs are read on paper too, and shuffle: false keeps the
// file order.
func (v *validator) answerPositions(m *Module) {
	at := map[int]int{}
	n := 0
	for _, s := range m.Steps {
		if s.Type != Choice || len(s.Options) < MinOptions {
			continue
		}
		right := -1
		for j, o := range s.Options {
			if o.Correct {
				if right >= 0 {
					right = -2 // several right options: no single position
					break
				}
				right = j
			}
		}
		if right >= 0 {
			at[right]++
			n++
		}
	}
	if n < 4 {
		return
	}
	for pos := range MaxOptions {
		if at[pos]*2 > n {
			v.warnf("steps", "in %d of the %d single-answer choice steps the right option is written %s; vary where it is written (the kiosk shuffles, but on paper and with shuffle: false the pattern gives the answer away)", at[pos], n, ordinal(pos))
			return
		}
	}
}

func ordinal(i int) string {
	if i < 4 {
		return [...]string{"first", "second", "third", "fourth"}[i]
	}
	return fmt.Sprintf("at position %d", i+1)
}

// stepFields lists, per type, the step keys that apply; any other key with a
// value is reported, so nothing written is silently ignored.
var stepFields = map[string][]string{
	Lesson:   {"title", "image", "body"},
	Choice:   {"title", "image", "prompt", "options", "explanation", "shuffle", "bank"},
	Order:    {"title", "image", "prompt", "items", "explanation", "bank"},
	Hotspot:  {"title", "image", "prompt", "targets", "decoys", "explanation", "bank"},
	Scenario: {"title", "image", "prompt", "start", "situations", "outcomes", "shuffle", "bank"},
}

// StepKeys returns the keys a step of type typ may have besides id and
// type (nil for an unknown type): the studio's forms show these.
func StepKeys(typ string) []string { return slices.Clone(stepFields[typ]) }

func stepSet(s *Step) map[string]bool {
	return map[string]bool{
		"title": len(s.Title) > 0, "image": s.Image != "", "body": len(s.Body) > 0,
		"prompt": len(s.Prompt) > 0, "options": len(s.Options) > 0, "items": len(s.Items) > 0,
		"targets": len(s.Targets) > 0, "decoys": len(s.Decoys) > 0, "explanation": len(s.Explanation) > 0,
		"shuffle": s.Shuffle != nil, "bank": s.Bank != "",
		"start": s.Start != "", "situations": len(s.Situations) > 0, "outcomes": len(s.Outcomes) > 0,
	}
}

var stepKeyOrder = []string{"title", "image", "body", "prompt", "options", "items", "targets", "decoys", "explanation", "shuffle", "bank", "start", "situations", "outcomes"}

func (v *validator) step(key string, s *Step) {
	if v.id(key+".id", s.ID, "fire-q1") {
		if prev, ok := v.steps[s.ID]; ok {
			v.errorf(key+".id", "step id %s is already used in %s; every step id must be unique in the pack, rename one", s.ID, prev)
		} else {
			at := v.p.src.at(v.file, key+".id")
			where := v.file
			if at.Line > 0 {
				where = fmt.Sprintf("%s line %d", v.file, at.Line)
			}
			v.steps[s.ID] = where
		}
	}
	allowed, ok := stepFields[s.Type]
	if !ok {
		if s.Type == "" {
			v.errorf(key+".type", "is missing; write the step type: lesson, choice, order, hotspot or scenario")
		} else {
			v.errorf(key+".type", "%q is not a step type; use lesson, choice, order, hotspot or scenario", s.Type)
		}
		return
	}
	set := stepSet(s)
	for _, f := range stepKeyOrder {
		if set[f] && !slices.Contains(allowed, f) {
			v.errorf(key+"."+f, "is not used by %s %s step; remove it, or change the type", article(s.Type), s.Type)
		}
	}
	switch s.Type {
	case Lesson:
		v.text(key+".title", s.Title, true, MaxTitle)
		v.text(key+".body", s.Body, true, MaxBody)
		v.image(key+".image", s.Image, false)
	case Choice:
		v.text(key+".title", s.Title, false, MaxTitle)
		v.text(key+".prompt", s.Prompt, true, MaxPrompt)
		v.image(key+".image", s.Image, false)
		v.choice(key, s)
		v.text(key+".explanation", s.Explanation, true, MaxExplanation)
	case Order:
		v.text(key+".title", s.Title, false, MaxTitle)
		v.text(key+".prompt", s.Prompt, true, MaxPrompt)
		v.image(key+".image", s.Image, false)
		switch {
		case len(s.Items) < MinOrderItems:
			v.errorf(key+".items", "an order step needs at least %d items to put in order, and it has %d; add items", MinOrderItems, len(s.Items))
		case len(s.Items) > MaxOrderItems:
			v.errorf(key+".items", "an order step can have at most %d items, and it has %d; remove some or split the step", MaxOrderItems, len(s.Items))
		}
		for i, it := range s.Items {
			v.text(fmt.Sprintf("%s.items[%d]", key, i), it, true, MaxOption)
		}
		v.text(key+".explanation", s.Explanation, true, MaxExplanation)
	case Hotspot:
		v.text(key+".title", s.Title, false, MaxTitle)
		v.text(key+".prompt", s.Prompt, true, MaxPrompt)
		v.image(key+".image", s.Image, true)
		v.targets(key, s)
		v.text(key+".explanation", s.Explanation, false, MaxExplanation)
	case Scenario:
		v.text(key+".title", s.Title, false, MaxTitle)
		v.text(key+".prompt", s.Prompt, false, MaxPrompt)
		v.image(key+".image", s.Image, false)
		v.scenario(key, s)
	}
}

// article is "a" or "an" before a step type.
func article(typ string) string {
	if strings.HasPrefix(typ, "o") {
		return "an"
	}
	return "a"
}

func (v *validator) choice(key string, s *Step) {
	switch {
	case len(s.Options) < MinOptions:
		v.errorf(key+".options", "a choice step needs at least %d options, and it has %d; add options", MinOptions, len(s.Options))
	case len(s.Options) > MaxOptions:
		v.errorf(key+".options", "a choice step can have at most %d options, and it has %d; remove some", MaxOptions, len(s.Options))
	}
	correct := 0
	ids := map[string]bool{}
	for i, o := range s.Options {
		ok := fmt.Sprintf("%s.options[%d]", key, i)
		if o.ID != "" && v.id(ok+".id", o.ID, "zebra") {
			if ids[o.ID] {
				v.errorf(ok+".id", "option id %s is used twice in this step; rename one", o.ID)
			}
			ids[o.ID] = true
		}
		v.text(ok+".text", o.Text, true, MaxOption)
		if o.Correct {
			correct++
		}
	}
	if len(s.Options) > 0 && correct == 0 {
		v.errorf(key+".options", "no option is marked correct; add correct: true to the right answer (or answers)")
	}
	if len(s.Options) > 1 && correct == len(s.Options) {
		v.errorf(key+".options", "every option is marked correct, so there is nothing to choose; keep correct: true only on the right answers")
	}
}

func (v *validator) targets(key string, s *Step) {
	switch {
	case len(s.Targets) == 0:
		v.errorf(key+".targets", "is missing; a hotspot step needs at least one target (id, label, x, y, w, h as fractions of the picture)")
	case len(s.Targets) > MaxTargets:
		v.errorf(key+".targets", "a hotspot step can have at most %d targets, and it has %d; remove some or split the step", MaxTargets, len(s.Targets))
	}
	if len(s.Decoys) > MaxDecoys {
		v.errorf(key+".decoys", "a hotspot step can have at most %d decoys, and it has %d; remove some", MaxDecoys, len(s.Decoys))
	}
	if len(s.Targets) > 0 && len(s.Decoys) == 0 {
		v.warnf(key+".targets", "the picture has no decoy, so every thing in it is a hazard and tapping at random wins; add decoys: a safe thing to tell apart, with a label saying why it is safe")
	}
	ids := map[string]bool{}
	v.regions(key+".targets", "target", s.Targets, ids)
	v.regions(key+".decoys", "decoy", s.Decoys, ids)
}

// regions checks a hotspot step's targets or decoys; ids are shared by
// both.
func (v *validator) regions(key, noun string, rs []Target, ids map[string]bool) {
	for i, t := range rs {
		tk := fmt.Sprintf("%s[%d]", key, i)
		if v.id(tk+".id", t.ID, "pan-handle") {
			if ids[t.ID] {
				v.errorf(tk+".id", "%s id %s is used twice in this step (targets and decoys share ids); rename one", noun, t.ID)
			}
			ids[t.ID] = true
		}
		v.text(tk+".label", t.Label, true, MaxTargetLabel)
		bad := false
		for _, c := range []struct {
			name string
			x    float64
		}{{"x", t.X}, {"y", t.Y}, {"w", t.W}, {"h", t.H}} {
			if math.IsNaN(c.x) || c.x < 0 || c.x > 1 {
				v.errorf(tk+"."+c.name, "%g is outside the picture; x, y, w and h are fractions of the picture's size, from 0 to 1", c.x)
				bad = true
			}
		}
		if bad {
			continue
		}
		switch {
		case t.W == 0 || t.H == 0:
			v.errorf(tk, "the target has no area (w: %g, h: %g); give w and h as fractions of the picture, like w: 0.2", t.W, t.H)
		case t.X+t.W > 1+1e-9:
			v.errorf(tk+".w", "x + w is %g, past the right edge of the picture; make x or w smaller so x + w is at most 1", t.X+t.W)
		case t.Y+t.H > 1+1e-9:
			v.errorf(tk+".h", "y + h is %g, past the bottom edge of the picture; make y or h smaller so y + h is at most 1", t.Y+t.H)
		}
	}
}

func (v *validator) scenario(key string, s *Step) {
	sit := map[string]int{}
	for i, st := range s.Situations {
		sk := fmt.Sprintf("%s.situations[%d]", key, i)
		if v.id(sk+".id", st.ID, "smoke-in-hall") {
			if _, dup := sit[st.ID]; dup {
				v.errorf(sk+".id", "situation id %s is used twice in this scenario; rename one", st.ID)
			} else {
				sit[st.ID] = i
			}
		}
	}
	out := map[string]int{}
	good, bad := 0, 0
	for i, o := range s.Outcomes {
		ok := fmt.Sprintf("%s.outcomes[%d]", key, i)
		if v.id(ok+".id", o.ID, "safe-outside") {
			if _, dup := out[o.ID]; dup {
				v.errorf(ok+".id", "outcome id %s is used twice in this scenario; rename one", o.ID)
			} else {
				out[o.ID] = i
			}
		}
		v.text(ok+".title", o.Title, true, MaxTitle)
		v.text(ok+".text", o.Text, true, MaxExplanation)
		v.text(ok+".advice", o.Advice, false, MaxExplanation)
		if o.Good {
			good++
		} else {
			bad++
		}
	}
	switch {
	case len(s.Situations) == 0:
		v.errorf(key+".situations", "is missing; a scenario needs at least one situation with choices")
	case s.Start == "":
		v.errorf(key+".start", "is missing; write the id of the first situation, like start: %s", s.Situations[0].ID)
	default:
		if _, ok := sit[s.Start]; !ok {
			v.errorf(key+".start", "%q is not a situation of this scenario; write the id of one of its situations", s.Start)
		}
	}
	if len(s.Outcomes) == 0 {
		v.errorf(key+".outcomes", "is missing; a scenario needs outcomes, at least one good (good: true) and one bad")
	} else if good == 0 {
		v.errorf(key+".outcomes", "has no good outcome; mark the safe ending with good: true")
	} else if bad == 0 {
		v.errorf(key+".outcomes", "has no bad outcome; a scenario teaches by showing what goes wrong too, add an ending with good: false")
	}

	// Edges of the graph, as far as they are valid.
	next := make([][]int, len(s.Situations))
	ends := make([]bool, len(s.Situations))
	reached := map[string]bool{}
	for i, st := range s.Situations {
		sk := fmt.Sprintf("%s.situations[%d]", key, i)
		v.text(sk+".text", st.Text, true, MaxPrompt)
		v.image(sk+".image", st.Image, false)
		switch {
		case len(st.Choices) < MinBranches:
			v.errorf(sk+".choices", "a situation needs at least %d choices, and it has %d; add choices", MinBranches, len(st.Choices))
		case len(st.Choices) > MaxBranches:
			v.errorf(sk+".choices", "a situation can have at most %d choices, and it has %d; remove some", MaxBranches, len(st.Choices))
		}
		for j, b := range st.Choices {
			bk := fmt.Sprintf("%s.choices[%d]", sk, j)
			v.text(bk+".text", b.Text, true, MaxOption)
			v.text(bk+".consequence", b.Consequence, false, MaxExplanation)
			switch {
			case b.Next != "" && b.Outcome != "":
				v.errorf(bk, "has both next and outcome; a choice leads either to the next situation (next) or to an ending (outcome), keep one")
			case b.Next == "" && b.Outcome == "":
				v.errorf(bk, "leads nowhere; add next: <situation id> or outcome: <outcome id>")
			case b.Next != "":
				if n, ok := sit[b.Next]; ok {
					next[i] = append(next[i], n)
				} else {
					v.errorf(bk+".next", "%q is not a situation of this scenario; write the id of one of its situations", b.Next)
				}
			default:
				if _, ok := out[b.Outcome]; ok {
					ends[i] = true
					reached[b.Outcome] = true
				} else {
					v.errorf(bk+".outcome", "%q is not an outcome of this scenario; write the id of one of its outcomes", b.Outcome)
				}
			}
		}
	}
	start, ok := sit[s.Start]
	if !ok {
		return
	}
	// Every situation is reachable from the start.
	seen := make([]bool, len(s.Situations))
	stack := []int{start}
	seen[start] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, n := range next[i] {
			if !seen[n] {
				seen[n] = true
				stack = append(stack, n)
			}
		}
	}
	// Every situation can still reach an ending (no loop without a way
	// out): walk back from the situations that end.
	prev := make([][]int, len(s.Situations))
	for i, ns := range next {
		for _, n := range ns {
			prev[n] = append(prev[n], i)
		}
	}
	canEnd := slices.Clone(ends)
	stack = stack[:0]
	for i, e := range ends {
		if e {
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range prev[i] {
			if !canEnd[p] {
				canEnd[p] = true
				stack = append(stack, p)
			}
		}
	}
	for i, st := range s.Situations {
		sk := fmt.Sprintf("%s.situations[%d]", key, i)
		if _, ok := sit[st.ID]; !ok || sit[st.ID] != i {
			continue
		}
		if !seen[i] {
			v.errorf(sk, "situation %s can never be reached from the start (%s); lead a choice to it with next: %s, or remove it", st.ID, s.Start, st.ID)
		} else if !canEnd[i] {
			v.errorf(sk, "from situation %s no choice ever leads to an outcome, so the visitor would go round in circles; make a choice here or after it end with outcome: <id>", st.ID)
		}
	}
	for i, o := range s.Outcomes {
		if o.ID != "" && out[o.ID] == i && !reached[o.ID] {
			v.warnf(fmt.Sprintf("%s.outcomes[%d]", key, i), "outcome %s is never reached; lead a choice to it with outcome: %s, or remove it", o.ID, o.ID)
		}
	}
}
