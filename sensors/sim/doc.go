// Package sim simulates a room's sensors for laptops, demos and tests, in
// the spirit of periph's gpiotest: simulated pins (Pin, built on
// gpiotest.Pin) stand in for the real ones behind the same devices, so a
// simulation runs the real debouncing and counting code.
//
// A Room holds the simulated pins of a room.Setup and drives them:
//
//   - by hand, for the kiosk's development mode and for tests: Enter, Exit,
//     Balk (step in and back out), Presence, Wave, Press, LongPress, Touch,
//     Hold, and raw Beam edges and Noise;
//   - from a script file (RunScript; the format is in ParseScript), for
//     end-to-end tests;
//   - with a generated visitor stream (Generate, then Play): arrivals at a
//     rate, walking speeds and body depths, groups following each other at
//     gaps, aborted crossings, contact bounce and wiring spikes, with the
//     ground truth that Compare checks the counts against;
//   - with a crowd from a physical model (GeneratePhysical, then Play):
//     bodies as rigid shapes at beam height (bags and hands that swing,
//     wheelchairs, strollers) walking, stopping, balking and turning over
//     the two beams, with bounce, EMI spikes and sunlight dropouts. It is
//     written apart from Generate, so the counter is not graded only by
//     the model it was designed against; Compare grades both.
//
// Hand-driven actions return once the action is over and the devices have
// had the time to report it (a crossing takes about 0.45 s, a press
// 0.13 s); from a UI, call them on their own goroutine.
//
// With the wall clock the simulator sleeps between steps. With a clock it
// can advance (clocktest.Fake) it advances the clock instead, and each
// simulated edge returns only once the device has handled it, so a
// ten-thousand-visitor day runs in seconds and always gives the same counts.
package sim
