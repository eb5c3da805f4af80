// Package flow is the kiosk's visit as a state machine, in plain Go (no
// Fyne): the UI renders its State and feeds it Inputs; a touch, a physical
// button, a sensor and a test all go through Dispatch.
//
// # The visit
//
//	Attract ──wake / any input──> Home ──open──> Step … Step ──> Result
//	   ^                            ^  <──home / back── Step      │ home
//	   │                            └─────────────────────────────┘
//	   │                                     Result ──finish──> Feedback ──rate / skip──> Thanks
//	   └──────────── after ThanksFor (8 s), or OK ──────────────────────────────────────────┘
//
// The attract loop advances its slides on a timer (a slide's Seconds, or
// 8 s), showing each slide in each of the pack's languages in turn
// (State.SlideLang) before the next; the visit still starts in the
// pack's first language. A presence.start (Wake) or any input on it starts a session
// (session.start, with the language shown). A language button on the
// attract screen (SetLang) starts the session in that language.
//
// Idle: during a session (Home, Step, Result, Feedback) no visitor input for
// IdleTimeout (60 s), or AwayTimeout (15 s) once presence.end was seen since
// the last presence.start, shows the "Still there?" overlay with Countdown
// (10) seconds, decreasing every second. Any visitor input dismisses it (and
// does nothing else, except a language switch, which applies); presence
// alone does not. At 0 the session ends (session.end, reason idle), every
// answer is cleared and the kiosk goes back to the attract loop. Presence
// does not reset the idle timer: it is measured from the last touch or
// button, so a visitor who stopped touching 20 s ago and then walks away
// gets the overlay at once. A session always starts with the long timeout.
//
// Ending: Finish (Result, Home) goes to Feedback when a module was completed
// in this visit, else straight to Thanks. A rating or a skip ends the
// session (session.end, reason finished) and shows Thanks, which goes back
// to the attract loop after ThanksFor.
//
// Language: SetLang switches the language on any screen and keeps
// everything else. session.start records the language the visit started
// in, session.end the language it ended in. The next visit starts in the
// pack's first language again. Switching never ends a session, so the
// reason "language reset" is not emitted: counting a restart as a new
// visitor would inflate the totals.
//
// Opening hours (Options.IsOpen, checked on every wake and every minute):
// outside them the Closed screen shows and presence or touches do not start
// sessions. A visit running at closing time is allowed to finish; the kiosk
// goes to Closed when it ends.
//
// SetPack makes a new pack live at once: a running session ends (reason
// "pack") and the kiosk goes back to the attract loop.
//
// # A module run
//
// Opening a module takes a seed (State.Seed, from Options.Rand) that makes
// the run's draw and shuffles, so a test fixes them by fixing Options.Rand.
// State.Visit lists the steps the run shows: every step, except that of
// each question bank (content.Step.Bank) only content.Module.DrawOf of its
// steps are drawn, in file order; Pos is the position in it. The options
// of a choice and the branches of each scenario situation are shown in
// State.Order, shuffled unless the step says shuffle: false, the same each
// time the step is shown in the run; Choose N and the A–D buttons mean the
// N-th as shown, and State.Selected, State.Branch and State.Answer name the
// options themselves. A scenario opens with its title and set-up
// (State.Intro) when it has them. A hotspot decoy tapped shows its label
// (State.Decoy) and is not a miss.
//
// # Scoring
//
// Questions are choice, order, hotspot and scenario steps; lessons are not.
// A question is right when answered right the first time: choice, the
// selected set equals the right set; order, no wrong item tried in any
// slot (a wrong item goes back at once, State.Wrong, and the slot counts
// as slipped, State.Slips; the step is answered when the last slot is
// filled, always in the right order); hotspot, every target found with no more misses than
// targets (giving up with Next, "show me", or RevealAfterMisses misses is
// wrong); scenario, the first outcome reached is good (after a bad outcome
// Retry goes back to the situation of the last choice; the story can then
// be played to its end, unscored). Going Back to an answered
// step shows it as answered; it is never scored twice in one module run.
// Passed when Right*100 >= PassScore*Questions. Stars: 3 all right, 2
// passed, 1 otherwise, 0 without questions.
//
// # Physical buttons
//
// Button inputs (a, b, c, d, ok, back) are mapped per screen by the same
// table that fills State.Buttons, so the hints the UI shows are exactly what
// the buttons do. Every screen can be completed with buttons alone:
//
//	"Still there?"   any button: I am here (dismiss)
//	Attract          any button: start a visit
//	Home             a / b: previous / next tile (State.Cursor); ok: open the
//	                 highlighted module; c: next language; d: finish the visit
//	Lesson           ok: next; back: previous step (home from the first)
//	Choice           a–d: option 1–4 (one right option: answers at once;
//	                 several: toggles, ok submits); answered: ok next
//	Order            a–d: place the first, second, … item not placed yet in
//	                 the next slot (the shuffle guarantees the right next
//	                 item is always among them; a wrong one goes back);
//	                 back: take back the last item; answered: ok next
//	Hotspot          a / b / c / d: move the highlight left / right / up /
//	                 down over a HotspotGrid×HotspotGrid grid of the picture;
//	                 ok: look there (finds a target overlapping the cell, or
//	                 counts a miss); answered: ok next
//	Scenario         ok: start (after the title and set-up); a–d: branch
//	                 1–4 as shown; ok: go on (after the consequence, and
//	                 after the outcome); after a bad outcome a: try again
//	Result           ok: home (feedback once every module is done); a: home;
//	                 b: finish (feedback); back: home
//	Feedback         a: satisfied (3); b: OK (2); c: not satisfied (1);
//	                 ok: skip; back: home
//	Thanks           ok / back: attract loop now
//	Closed           nothing
//
// In a step, back goes to the previous step, and from the first step home.
//
// # Robustness
//
// Any input is safe on any screen: one that means nothing there is ignored
// (FuzzDispatch checks the state's invariants and the recorded events'
// order after random inputs, clock jumps and pack swaps). Packs the
// validator would refuse (a choice without options, a scenario leading
// nowhere, a step type from a newer format) still let the visitor go on.
// A panic inside the machine is logged and the kiosk returns to the
// attract loop. OnChange listeners run outside the lock and may call back
// into the machine.
//
// # Recording
//
// Events go to Options.Recorder through a bounded queue and one worker
// goroutine, so Dispatch never waits on disk. When the recorder is slow or
// failing and the queue is full, events are dropped, counted
// (RecorderStats) and logged. Close flushes the queue.
package flow
