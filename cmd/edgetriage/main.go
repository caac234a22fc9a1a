// Command edgetriage finds 520 bursts and never-completed 202s in access
// and CDN logs, in a terminal interface or as a headless report.
package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	fmt.Fprintln(os.Stderr, "edgetriage", version, ": under construction")
}
