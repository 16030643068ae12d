//go:build race

package extract

// raceEnabled reports a -race build, where some engine tests are too slow.
const raceEnabled = true
