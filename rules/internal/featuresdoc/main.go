// Command featuresdoc writes rules/FEATURES.md from the feature schema
// (go generate ./rules/).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/edgetriage/edgetriage/rules"
)

func main() {
	out := flag.String("o", "FEATURES.md", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, []byte(rules.FeaturesMarkdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "featuresdoc:", err)
		os.Exit(1)
	}
}
