package input

import (
	"strings"

	"github.com/edgetriage/edgetriage/parse/formats"
)

// The format registry (parse/formats) is wired here, in one place.
var (
	defaultNewParser = formats.New
	defaultDetect    = formats.Detect
)

// parallelSafe says whether a format may be parsed in chunks by several
// parser instances. Formats whose parser carries state from line to line
// must see the input in one piece: CloudFront (its #Fields header sets the
// columns) and container-wrapped logs (partial lines are joined).
func parallelSafe(format string) bool {
	switch {
	case format == "", format == "cloudfront":
		return false
	case strings.HasPrefix(format, "docker+"), strings.HasPrefix(format, "cri+"):
		return false
	}
	return true
}
