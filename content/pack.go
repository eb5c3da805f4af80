// Package content is the wufang content-pack format (wufang-pack/1): its
// types, a strict loader over any fs.FS (a folder, a .wfpack zip, the built-in
// embed.FS), a validator that reports every problem with its location,
// ed25519 signatures, and an atomic two-slot installer with rollback.
package content

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
	// choice, order, hotspot: why the right answer is right
	Explanation Text `yaml:"explanation"`

	// scenario
	Start      string      `yaml:"start"` // id of the first situation
	Situations []Situation `yaml:"situations"`
	Outcomes   []Outcome   `yaml:"outcomes"`
}

// Option is one answer of a choice step.
type Option struct {
	Text    Text `yaml:"text"`
	Correct bool `yaml:"correct"`
}

// Target is a hazard in a hotspot picture, a rectangle in fractions of the
// image's width and height (0..1, origin top left).
type Target struct {
	ID    string  `yaml:"id"`
	Label Text    `yaml:"label"` // what it is and why it is dangerous, shown when found
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

// Outcome ends a scenario.
type Outcome struct {
	ID    string `yaml:"id"`
	Good  bool   `yaml:"good"`
	Title Text   `yaml:"title"`
	Text  Text   `yaml:"text"`
}
