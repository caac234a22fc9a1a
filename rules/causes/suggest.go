package causes

import (
	"slices"
	"strings"
)

// suggest returns the candidate a typo most likely meant: the one sharing
// the most words ("_"-separated) with name, then the closest by edit
// distance; "" when nothing is close.
func suggest(name string, candidates []string) string {
	words := strings.Split(name, "_")
	best, bestShared, bestD := "", 0, len(name)/3+2
	for _, c := range candidates {
		shared := 0
		for _, w := range strings.Split(c, "_") {
			if len(w) > 2 && slices.Contains(words, w) {
				shared++
			}
		}
		d := EditDistance(name, c)
		if shared == 0 && d >= len(name)/3+2 {
			continue
		}
		if shared > bestShared || (shared == bestShared && d < bestD) {
			best, bestShared, bestD = c, shared, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance of two short words (rule and
// feature names here, command names in the CLI).
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
