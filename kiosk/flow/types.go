package flow

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Screen is what the kiosk shows.
type Screen string

// The screens of a visit.
const (
	Attract  Screen = "attract"  // idle loop of the pack's attract slides
	Home     Screen = "home"     // module tiles + language switch
	Step     Screen = "step"     // a module step (lesson/choice/order/hotspot/scenario)
	Result   Screen = "result"   // module result
	Feedback Screen = "feedback" // three faces
	Thanks   Screen = "thanks"   // then back to attract after a few seconds
	Closed   Screen = "closed"   // outside opening hours
)

// InputKind is the kind of an Input.
type InputKind string

// The inputs the machine understands. Any input is safe in any state: one
// that means nothing on the current screen is ignored.
const (
	Wake        InputKind = "wake"         // presence.start
	PresenceEnd InputKind = "presence.end" // visitor walked away: shorter idle timeout
	Touch       InputKind = "touch"        // any touch anywhere: resets idle; on Attract opens Home
	SetLang     InputKind = "lang"         // Lang field: switch language on any screen
	OpenModule  InputKind = "open"         // N: module index on Home
	Choose      InputKind = "choose"       // N: option (choice) or branch (scenario situation), by position as shown (State.Order)
	Retry       InputKind = "retry"        // scenario, after a bad outcome: back to the situation of the last choice
	Pick        InputKind = "pick"         // N: display index of an order item tapped next
	TapAt       InputKind = "tap"          // X, Y: fraction of the hotspot image (0..1)
	Next        InputKind = "next"         // confirm / continue (OK button)
	Back        InputKind = "back"         // previous step / home (BACK button)
	GoHome      InputKind = "home"         // home button on step/result screens
	Rate        InputKind = "rate"         // N: 1 not satisfied, 2 OK, 3 satisfied
	Finish      InputKind = "finish"       // "done" on the result (or home) screen: go to feedback
	Button      InputKind = "button"       // Name: physical button a,b,c,d,ok,back -> mapped per screen
	StillHere   InputKind = "still-here"   // tap on the "Still there?" overlay
	LargeText   InputKind = "large-text"   // the visitor's "A+": toggle large text until the visit ends
)

// Input is one event for the machine: a touch, a physical button, a sensor.
type Input struct {
	Kind InputKind
	N    int
	X, Y float64
	Lang string
	Name string
}

// Physical button names (Input.Name of a Button input).
const (
	BtnA    = "a"
	BtnB    = "b"
	BtnC    = "c"
	BtnD    = "d"
	BtnOK   = "ok"
	BtnBack = "back"
)

// Action is what a physical button does on the current screen; the UI shows
// it as a hint next to the button's letter.
type Action string

// Button actions (see ButtonHint).
const (
	ActWake     Action = "wake"      // Attract: start a visit
	ActDismiss  Action = "dismiss"   // "Still there?": I am here
	ActPrevTile Action = "prev-tile" // Home: highlight the previous module tile
	ActNextTile Action = "next-tile" // Home: highlight the next module tile
	ActOpen     Action = "open"      // Home: open module N (the highlighted tile)
	ActLang     Action = "lang"      // switch to language Lang
	ActFinish   Action = "finish"    // Home, Result: end the visit (feedback)
	ActChoose   Action = "choose"    // choice option / scenario branch N, by position as shown
	ActRetry    Action = "retry"     // scenario, after a bad outcome: try the last situation again
	ActPick     Action = "pick"      // order: place display item N next
	ActUndo     Action = "undo"      // order: take back the last placed item
	ActLeft     Action = "left"      // hotspot: move the highlight
	ActRight    Action = "right"     //
	ActUp       Action = "up"        //
	ActDown     Action = "down"      //
	ActCheck    Action = "check"     // hotspot: look in the highlighted area
	ActSubmit   Action = "submit"    // choice with several right options: submit
	ActNext     Action = "next"      // continue
	ActBack     Action = "back"      // previous step, or home from the first step
	ActHome     Action = "home"      // back to the module tiles
	ActRate     Action = "rate"      // feedback: rating N
	ActSkip     Action = "skip"      // feedback: go on without rating
	ActAttract  Action = "attract"   // Thanks: back to the attract loop now
)

// ButtonHint says what physical button Button (a, b, c, d, ok, back) does
// now. N is the option, item, module or rating it acts on where that
// applies; Lang the language for ActLang.
type ButtonHint struct {
	Button string
	Action Action
	N      int
	Lang   string
}

// HotspotGrid is the number of rows and columns of the grid physical buttons
// move over on a hotspot picture (State.Cursor = row*HotspotGrid + col).
const HotspotGrid = 3

// State is a snapshot of the visit. The UI renders it; it never changes it.
type State struct {
	Screen  Screen
	Lang    string // current language (pack's first language by default)
	Seq     uint64 // increments on every change (UI can skip redundant redraws)
	Slide   int    // Attract: current slide index (advances on a timer, slide.Seconds or 8 s)
	Module  int    // index into pack.Mods; -1 when none
	StepIdx int    // index into the module's Steps

	// SlideLang is the language the attract slide is shown in: each slide
	// shows in each of the pack's languages in turn, for its Seconds each,
	// before the next slide ("" off the attract screen). Lang stays the
	// language a visit starts in.
	SlideLang string

	// Visit lists the indices of the module's steps this module run shows,
	// in order: every step, except that of each question bank only the
	// drawn steps are there. Pos is StepIdx's position in it.
	Visit []int
	Pos   int
	// Seed makes this module run's draw and shuffles; a new one is taken
	// from Options.Rand when a module opens.
	Seed uint64

	// "Still there?" overlay (shown over any session screen), with seconds left (10..1)
	StillThere bool
	Countdown  int

	// step-local state
	StepType  string      // content.Lesson, content.Choice, ... ("" off the Step screen)
	Answered  bool        // choice/order/hotspot/scenario: answer given, explanation shown, Next continues
	Correct   bool        // the answer was right (first try)
	Multi     bool        // choice: several options are right (Choose toggles, Next submits)
	Selected  []int       // choice: option indices (in the file) chosen (multi-correct choices toggle, Next submits)
	Order     []int       // choice: shown position -> option index; scenario: shown position -> branch index of the current situation
	Answer    []string    // choice: the ids of the options chosen first (content.Step.OptionID), in file order; scenario: the outcome id reached first
	Shuffle   []int       // order: display position -> item index (stable for the step visit)
	Picked    []int       // order: display positions placed so far, slot by slot (only right ones: a wrong one goes back)
	Wrong     int         // order: 1 + display position of the item just tried in the wrong slot (it went back; the UI cues it), 0 none
	Slips     []int       // order: the slots (0-based) a wrong item was tried in, each once; the step is right when there are none
	Found     []bool      // hotspot: per target, found
	Revealed  bool        // hotspot: the visitor gave up (or missed too often) and was shown the targets
	LastTap   *[2]float64 // hotspot: last tap that missed (for a miss marker), nil if none
	Misses    int         // hotspot: taps that found nothing; order: wrong placements
	Decoy     int         // hotspot: 1 + index of the decoy last tapped (its "that one is safe" label shows), 0 none
	Intro     bool        // scenario: the title and set-up are shown; Next starts the story
	Situation string      // scenario: current situation id
	Branch    int         // scenario: branch chosen in the current situation, -1 before choosing (consequence shown after choosing; Next goes on)
	Outcome   string      // scenario: outcome id once reached ("" before)
	Retries   int         // scenario: times the visitor went back after a bad outcome (only the first run is scored)
	Path      []string    // scenario: situation ids visited

	// Cursor is the highlight physical buttons move: on Home the module tile
	// index, on a hotspot step the grid cell (row*HotspotGrid + col).
	Cursor int

	// module progress and result
	Right, Questions int    // right first answers / questions answered so far in this module
	Passed           bool   // Result: at or above pass score
	Stars            int    // Result: 0..3
	Done             []bool // per module index: completed in this session (home tiles show a tick)
	VisitorToday     int    // Result: "You are visitor N today" (from Options.VisitorToday)
	Rating           int    // Feedback/Thanks: chosen rating

	// InSession is true from Home to the end of the visit (session.end).
	InSession bool
	// Large is the visitor's own large text ("A+"), on until the visit
	// ends; staff's kiosk.large_text is the room's default under it.
	Large bool
	// ButtonUsed: a physical button was pressed in this visit, so the UI
	// shows the highlight the buttons move (a touch visitor never sees it).
	ButtonUsed bool
	// Buttons: what each physical button does now (for the button hints).
	Buttons []ButtonHint
}

// Recorder stores visit events. The edge store satisfies it. The machine
// calls it from its own goroutine, never from Dispatch's caller.
type Recorder interface {
	Record(ctx context.Context, e wire.Event) error
}

// Clock is the time source (the device's one clock interface); tests inject
// a fake (flowtest.Clock).
type Clock = clock.Clock

// Timer is a pending AfterFunc.
type Timer = clock.Timer

// Options configure a Machine. The zero value works.
type Options struct {
	Recorder     Recorder             // nil = discard; called on a separate goroutine (queue), never the caller's
	Clock        Clock                // nil = real time
	IdleTimeout  time.Duration        // default 60s: no input -> Still there?
	AwayTimeout  time.Duration        // default 15s: idle timeout once presence has ended
	Countdown    int                  // default 10 (seconds)
	IsOpen       func(time.Time) bool // opening hours; nil = always open
	VisitorToday func() int           // sessions today incl. this one (from the store); nil = 0
	Logger       *slog.Logger

	// Added by the flow helper.
	ThanksFor time.Duration // how long Thanks shows; default 8s
	QueueSize int           // recorder queue length; default 256; full = the event is dropped and counted
	Rand      *rand.Rand    // seeds each module run's question draw and shuffles (State.Seed); nil = randomly seeded

	// InputGuard: inputs that act (every visitor input but a plain touch)
	// are ignored for this long after the screen changed, so a double tap
	// or a bounced button never acts on a screen the visitor has not seen.
	// 0 = no guard; the kiosk uses DefaultInputGuard.
	InputGuard time.Duration
}

// RecorderStats counts what happened to recorded events.
type RecorderStats struct {
	Recorded uint64 // Record returned nil
	Failed   uint64 // Record returned an error (the event is lost to the store)
	Dropped  uint64 // the queue was full or closed: never handed to the recorder
}
