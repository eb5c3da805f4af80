//go:build race

package store

// raceOn reports a -race build: measurement tests skip themselves there.
const raceOn = true
