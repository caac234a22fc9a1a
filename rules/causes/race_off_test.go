//go:build !race

package causes

import "time"

// hangLimit is how long a bounded evaluation may take in a test before it
// counts as a hang (a budget that fails lets it run for minutes).
const hangLimit = 2 * time.Second
