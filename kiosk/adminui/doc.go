// Package adminui is the kiosk's staff mode on screen: a hidden hot zone in
// the top-left corner (press and hold for five seconds), a PIN pad, and the
// staff screens — counts, uplink, a live sensor view, content with rollback
// and the way back to the built-in pack, install from a USB stick, device
// information, restart and exit.
//
// It builds on kiosk/admin (PIN verification, the persistent lockout, the
// idle timer) and declares the small interfaces and value types it needs
// from the device runtime (Device and Status, which the kiosk main adapts
// edge/node to, so admin mode links neither the store, nor the uplink, nor
// the sensor drivers) and from the pack installer (Packs, satisfied by
// *content.Installer). It does not import Fyne's app
// package, so it is tested with Fyne's test driver (CGO_ENABLED=0 works).
//
// # Threads
//
// Every widget is touched on the Fyne goroutine only. Slow work (PIN
// hashing, reading the device status, scanning the stick, installing) runs on
// its own goroutine and posts its result with fyne.Do. Callbacks and handlers
// recover from panics and log them: nothing reaches a visitor.
//
// # Screens
//
// Admin mode replaces the window's content with its own and puts the
// visitor content back when it leaves: on the Leave button, or by itself
// after two minutes without input (admin.AutoLeave). Nothing scrolls: text
// and buttons grow with the screen (metricsFor), pages hold what fits and
// long lists are paged; at 1920×1080 the counts, the uplink and the device
// share one screen. In portrait the menu runs across the top and the PIN
// keys sit under their prompt. A pack on a USB stick is checked and shown
// before it is installed, and installs only from its confirmation screen.
//
// While it shows, admin mode sets the app theme to a dark, compact variant
// of the kiosk theme (same CJK font) and restores the kiosk's theme when it
// leaves. It does not use container.ThemeOverride: Fyne 2.7 keeps every
// canvas object drawn under an override for the life of the process.
// Redraws that change only texts and colours update the shown widgets in
// place, so a live screen builds nothing while its figures stay the same.
package adminui
