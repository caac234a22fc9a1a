//go:build race

package causes

import "time"

// hangLimit is how long a bounded evaluation may take in a test before it
// counts as a hang: the race detector slows evaluation several times.
const hangLimit = 10 * time.Second
