package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/edgetriage/edgetriage/rules"
)

// featureDoc is one feature as `rules --features --json` prints it.
type featureDoc struct {
	Name    string   `json:"name"`
	Kinds   []string `json:"kinds"`
	Unit    string   `json:"unit"`
	Meaning string   `json:"meaning"`
	Context bool     `json:"context,omitempty"`
}

// printFeatures prints the engine's feature schema (rules.Features), the
// names a cause rule may test: a table, or JSON with --json.
func printFeatures(asJSON bool, stdout, stderr io.Writer) int {
	var docs []featureDoc
	for _, f := range rules.Features() {
		d := featureDoc{Name: f.Name, Unit: string(f.Unit), Meaning: f.Meaning, Context: f.InContext}
		for _, k := range f.Kinds {
			d.Kinds = append(d.Kinds, string(k))
		}
		docs = append(docs, d)
	}
	var err error
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(docs)
	} else {
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKINDS\tUNIT\tMEANING")
		for _, d := range docs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, strings.Join(d.Kinds, ","), d.Unit, d.Meaning)
		}
		err = tw.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	return exitOK
}
