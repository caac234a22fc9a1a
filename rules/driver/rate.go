package driver

import "time"

// rateMeter is a lines/s rate over the last few seconds, smoothed so a
// header's number does not flicker.
type rateMeter struct {
	at    time.Time
	lines int64
	rate  float64
}

func (r *rateMeter) add(now time.Time, lines int64) float64 {
	if r.at.IsZero() {
		r.at, r.lines = now, lines
		return 0
	}
	dt := now.Sub(r.at).Seconds()
	if dt < 0.1 {
		return r.rate
	}
	inst := float64(lines-r.lines) / dt
	const keep = 0.6 // about 1 s of memory at 4 snapshots a second
	r.rate = keep*r.rate + (1-keep)*inst
	if inst == 0 && r.rate < 0.5 {
		r.rate = 0
	}
	r.at, r.lines = now, lines
	return r.rate
}
