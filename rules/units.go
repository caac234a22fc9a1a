package rules

import (
	"strconv"
	"time"
)

// Units the features and findings use: seconds, shares, times, statuses.

func seconds(ns int64) float64 { return float64(ns) / float64(time.Second) }

func share(n, d int) float64 {
	if d <= 0 {
		return -1
	}
	return float64(n) / float64(d)
}

func ts(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func statusKey(s int) string { return strconv.Itoa(s) }

func timeDur(ns int64) time.Duration { return time.Duration(ns) }
