// Package content is the wufang content-pack format (wufang-pack/1): its
// types, a strict loader over any fs.FS (a folder, a .wfpack zip, the built-in
// embed.FS), a validator that reports every problem with its location,
// ed25519 signatures, and an atomic two-slot installer with rollback.
package content

import "strconv"

// Format is the value of pack.yaml's format key that this code reads.
const Format = "wufang-pack/1"

// ModuleIDs are the five preventions, the only module ids a pack may use.
var ModuleIDs = []string{"traffic", "fire", "fraud", "drugs", "disasters"}

// Text is one visible text in every language of the pack: {zh-CN: …, en: …}.
type Text map[string]string

// Pack is a loaded content pack: pack.yaml plus its modules, in home-screen
// order, and the file system it came from (for media).
type Pack struct {
	Format        string   `yaml:"format"`
	ID            string   `yaml:"id"`      // [a-z0-9][a-z0-9-]{0,62}
	Version       string   `yaml:"version"` // semantic version, e.g. 1.2.0
	Title         Text     `yaml:"title"`
	Languages     []string `yaml:"languages"` // first is the default
	MinAppVersion string   `yaml:"min_app_version"`
	Modules       []string `yaml:"modules"` // module ids, home-screen order
	Attract       []Slide  `yaml:"attract"`

	// Loaded from modules/<id>.yaml, in Modules order.
	Mods []*Module `yaml:"-"`

	// src remembers where each value was written, for located problems.
	src *source
}

// Slide is one slide of the attract loop.
type Slide struct {
	Title   Text   `yaml:"title"`
	Body    Text   `yaml:"body"`
	Image   string `yaml:"image"`   // media path, optional
	Seconds int    `yaml:"seconds"` // how long it shows; 0 = default (8)
}

// Module is modules/<id>.yaml.
type Module struct {
	ID        string  `yaml:"id"`
	Title     Text    `yaml:"title"`
	Summary   Text    `yaml:"summary"`    // one line under the title on the home tile
	Colour    string  `yaml:"colour"`     // "#RRGGBB"
	Icon      string  `yaml:"icon"`       // media path
	Hotline   Hotline `yaml:"hotline"`    // shown large on the result screen
	PassScore int     `yaml:"pass_score"` // percent of questions right first time, 1..100
	Remember  Text    `yaml:"remember"`   // the one thing to remember, on the result screen
	Steps     []Step  `yaml:"steps"`

	// Banks says how many steps a visit draws from a question bank (the
	// steps with the same Step.Bank); a bank not listed here draws 1.
	Banks []Bank `yaml:"banks"`
}

// Bank is a question bank's draw: a visit shows Draw of the bank's steps,
// drawn at random per visit, so a returning group meets new questions.
type Bank struct {
	ID   string `yaml:"id"`
	Draw int    `yaml:"draw"`
}

// DrawOf is how many steps a visit shows of bank id: the Banks entry's
// Draw, else 1.
func (m *Module) DrawOf(id string) int {
	for _, b := range m.Banks {
		if b.ID == id {
			return b.Draw
		}
	}
	return 1
}

// Hotline is the number a module tells visitors to call.
type Hotline struct {
	Number string `yaml:"number"` // "119"
	Label  Text   `yaml:"label"`  // {zh-CN: 火警, en: Fire}
}

// Step types.
const (
	Lesson   = "lesson"
	Choice   = "choice"
	Order    = "order"
	Hotspot  = "hotspot"
	Scenario = "scenario"
)

// Step is one screen (or, for a scenario, a small graph of screens) of a
// module. Which fields apply depends on Type.
type Step struct {
	ID    string `yaml:"id"`   // unique in the pack, [a-z0-9][a-z0-9-]{0,62}
	Type  string `yaml:"type"` // lesson, choice, order, hotspot, scenario
	Title Text   `yaml:"title"`
	Image string `yaml:"image"` // media path; lesson, choice (optional), hotspot (required)

	// lesson
	Body Text `yaml:"body"`

	// choice, order, hotspot, scenario: the question or task
	Prompt Text `yaml:"prompt"`
	// choice
	Options []Option `yaml:"options"`
	// order: the items in the right order (shown shuffled)
	Items []Text `yaml:"items"`
	// hotspot: the hazards to find
	Targets []Target `yaml:"targets"`
	// hotspot: safe things in the picture; tapping one shows its label
	// ("that one is safe: …") and is not a miss
	Decoys []Target `yaml:"decoys"`
	// choice, order, hotspot: why the right answer is right
	Explanation Text `yaml:"explanation"`

	// choice, scenario: false keeps the options (the branches) in file
	// order; by default each visit shows them shuffled
	Shuffle *bool `yaml:"shuffle"`
	// choice, order, hotspot, scenario: the question bank the step belongs
	// to; a visit shows only some of a bank's steps (Module.Banks)
	Bank string `yaml:"bank"`

	// scenario: Title and Prompt (the set-up) open the story
	Start      string      `yaml:"start"` // id of the first situation
	Situations []Situation `yaml:"situations"`
	Outcomes   []Outcome   `yaml:"outcomes"`
}

// Shuffled reports whether the kiosk shuffles the step's options or
// branches for each visit (the default; shuffle: false turns it off).
func (s *Step) Shuffled() bool { return s.Shuffle == nil || *s.Shuffle }

// Question reports whether a step type is scored (every type but lessons).
func Question(typ string) bool {
	switch typ {
	case Choice, Order, Hotspot, Scenario:
		return true
	}
	return false
}

// Option is one answer of a choice step.
type Option struct {
	// ID names the option in recorded answers, so counts mean the same
	// whatever order the options are shown or written in. Optional: without
	// it an option is named by its 1-based position in the file.
	ID      string `yaml:"id"`
	Text    Text   `yaml:"text"`
	Correct bool   `yaml:"correct"`
}

// OptionID is the id of option i of a choice step: its id, or its 1-based
// position in the file.
func (s *Step) OptionID(i int) string {
	if i < 0 || i >= len(s.Options) {
		return ""
	}
	if id := s.Options[i].ID; id != "" {
		return id
	}
	return strconv.Itoa(i + 1)
}

// Situation is the situation of a scenario step with the given id, or nil.
func (s *Step) Situation(id string) *Situation {
	for i := range s.Situations {
		if s.Situations[i].ID == id {
			return &s.Situations[i]
		}
	}
	return nil
}

// Outcome is the outcome of a scenario step with the given id, or nil.
func (s *Step) Outcome(id string) *Outcome {
	for i := range s.Outcomes {
		if s.Outcomes[i].ID == id {
			return &s.Outcomes[i]
		}
	}
	return nil
}

// Target is a hazard in a hotspot picture (or, among a step's Decoys, a
// safe thing), a rectangle in fractions of the image's width and height
// (0..1, origin top left).
type Target struct {
	ID    string  `yaml:"id"`
	Label Text    `yaml:"label"` // what it is and why it is dangerous (a decoy: why it is safe), shown when tapped
	X     float64 `yaml:"x"`
	Y     float64 `yaml:"y"`
	W     float64 `yaml:"w"`
	H     float64 `yaml:"h"`
}

// Situation is one node of a scenario.
type Situation struct {
	ID      string   `yaml:"id"`
	Text    Text     `yaml:"text"`
	Image   string   `yaml:"image"`   // optional
	Choices []Branch `yaml:"choices"` // 2 to 4
}

// Branch is a choice in a situation: what happens, and where it leads —
// exactly one of Next (a situation id) or Outcome (an outcome id).
type Branch struct {
	Text        Text   `yaml:"text"`
	Consequence Text   `yaml:"consequence"`
	Next        string `yaml:"next"`
	Outcome     string `yaml:"outcome"`
}

// Outcome ends a scenario. After a bad outcome the kiosk offers to try
// the last situation again; only the first run through the story is scored.
type Outcome struct {
	ID    string `yaml:"id"`
	Good  bool   `yaml:"good"`
	Title Text   `yaml:"title"`
	Text  Text   `yaml:"text"`
	// Advice is what to do now, shown under its own heading: after a
	// clicked scam link, freeze the card, call the bank, call 110.
	Advice Text `yaml:"advice"`
}
