// Package ui is the kiosk's Fyne front end: the screens that render a
// kiosk/flow Machine's State, and the taps that become its Inputs.
//
// main does a := app.New(); u := ui.New(m, opts); u.Load(w); a.Run().
// Tests load the same UI into Fyne's test driver. The package imports no
// Fyne driver (not fyne.io/fyne/v2/app), so it builds and tests with
// CGO_ENABLED=0 and no display.
//
// # Screens
//
// Screens are data: a table from flow.Screen to constructor (screens) and
// one from step type to constructor (steps). Every change of the machine's
// state rebuilds the screen for the window's size, on the Fyne goroutine
// (fyne.Do). A panic while building a screen or handling a tap is
// recovered, logged, and the kiosk goes back to the attract loop; a
// visitor never sees an error.
//
// # Fitting
//
// Nothing scrolls. Layouts are built for the window (from 800×480 to
// 1920×1080, landscape or portrait): lengths are designed at 800×480 and
// scaled, touch targets are at least 56 px at 800×480, text shrinks to fit
// its box down to a floor and long lesson bodies are split into pages.
// Fit reports whatever still does not fit (Misfit); kiosk/ui/render draws
// every screen of a pack (Shots) to PNG files with it (wufang-render).
//
// # Tests and tools
//
// The package does not import Fyne's test driver: TapAt and Fit walk the
// UI's own tree (every widget on a visitor screen is the UI's own and lists
// what it draws), and the test knobs are Options (RasterCap, Rasters).
package ui
