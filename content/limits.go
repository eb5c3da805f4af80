package content

// Text budgets, in width units: a CJK character (or any full-width rune)
// counts 2, any other rune 1. A text over its budget is a validation warning:
// it would not fit its screen at 800×480 without scrolling. The kiosk's
// layouts are designed for these budgets.
const (
	MaxTitle        = 40  // step, module, slide and outcome titles
	MaxSummary      = 60  // module summary on the home tile
	MaxBody         = 260 // lesson body, slide body
	MaxPrompt       = 120 // question, task, situation text
	MaxOption       = 60  // choice option, scenario branch, order item
	MaxExplanation  = 200 // explanation, consequence, outcome text, remember
	MaxTargetLabel  = 80  // hotspot target label
	MaxHotlineLabel = 20
)

// Structure limits.
const (
	MinOptions    = 2
	MaxOptions    = 4
	MinOrderItems = 3
	MaxOrderItems = 6
	MaxTargets    = 6
	MinBranches   = 2
	MaxBranches   = 4
	MaxDecoys     = 4
)

// Rhythm of a visit (validation warnings): a visitor stands at a small
// screen, and museum interactives last a few minutes.
const (
	// MaxVisitSteps is the most steps one module visit should show,
	// counting each question bank as the steps it draws.
	MaxVisitSteps = 10
	// MaxLessonsInARow is the most lessons a visit should show before a
	// question.
	MaxLessonsInARow = 3
)

// Width is the display width of s in the units of the text budgets.
func Width(s string) int {
	w := 0
	for _, r := range s {
		if isWide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || // Hangul Jamo
		(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || // CJK … Yi
		(r >= 0xac00 && r <= 0xd7a3) || // Hangul syllables
		(r >= 0xf900 && r <= 0xfaff) || // CJK compatibility ideographs
		(r >= 0xfe30 && r <= 0xfe4f) || // CJK compatibility forms
		(r >= 0xff00 && r <= 0xff60) || // full-width forms
		(r >= 0xffe0 && r <= 0xffe6) ||
		(r >= 0x20000 && r <= 0x3fffd))
}
