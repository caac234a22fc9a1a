//go:build race

package rules

// raceDetector: the race detector slows the engine several times; the
// biggest memory tests run their -short size under it.
const raceDetector = true
