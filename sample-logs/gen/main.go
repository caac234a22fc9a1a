// Command gen rewrites the committed demo logs of package samplelogs, or
// writes a large deterministic nginx combined file for benchmarks.
//
//	go run ./sample-logs/gen                                  # rewrite sample-logs/{cloudflare,origin,formats}
//	go run ./sample-logs/gen -truth                           # print what the demo should show
//	go run ./sample-logs/gen -combined 1000000 -o /tmp/big.log # ~180 MB benchmark input
//	go run ./sample-logs/gen -combined 1000000 -o /tmp/big.log -truth-json # ... and print its planted storms
//	go run ./sample-logs/gen -op-scenario 202-worker-pool-died -o /tmp/s # a 202 scenario's logs and truth.json
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	combined := flag.Int("combined", 0, "write this many nginx combined lines instead of the demo")
	out := flag.String("o", "", "output: the demo's directory (default: sample-logs) or the combined file (default: stdout)")
	seed := flag.Uint64("seed", samplelogs.DefaultSeed, "random seed")
	truth := flag.Bool("truth", false, "print the demo's truth table instead of writing files (with -combined: also print the file's truth)")
	truthJSON := flag.Bool("truth-json", false, "print the demo's truth as JSON instead of writing files (with -combined: also print the file's truth as JSON)")
	opScenario := flag.String("op-scenario", "", "write this 202 scenario's logs and truth.json into -o (\"list\" lists them)")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if *opScenario != "" {
		return writeOpScenario(*opScenario, *out, *seed)
	}
	if *combined > 0 {
		ct, err := writeCombined(*out, *combined, *seed, (*truth || *truthJSON) && (*out == "" || *out == "-"))
		if err != nil {
			return err
		}
		return printCombinedTruth(ct, *truth, *truthJSON)
	}
	dir := *out
	if dir == "" {
		var err error
		if dir, err = findPackageDir(); err != nil {
			return err
		}
	}
	set, err := samplelogs.Generate(samplelogs.Options{Seed: *seed})
	if err != nil {
		return err
	}
	if *truth {
		fmt.Print(set.Truth.Table())
		return nil
	}
	if *truthJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(set.Truth)
	}
	// Stale files from an older manifest would be embedded too: start clean.
	for _, sub := range samplelogs.Dirs() {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("clean %s: %w", sub, err)
		}
	}
	if err := set.WriteDir(dir); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), set.Readme(), 0o644); err != nil {
		return fmt.Errorf("write README: %w", err)
	}
	var total int
	for _, f := range set.Files {
		total += len(f.Data)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d files, %d bytes, under %s\n", len(set.Files), total, dir)
	return nil
}

// findPackageDir finds sample-logs/ from the repository root or from
// inside it.
func findPackageDir() (string, error) {
	for _, dir := range []string{"sample-logs", "."} {
		if _, err := os.Stat(filepath.Join(dir, "samples.go")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("run from the repository root or sample-logs/, or give -o DIR")
}

// printCombinedTruth prints what the combined file holds, on stdout
// (after the file, when the file went to a path).
func printCombinedTruth(ct samplelogs.CombinedTruth, table, asJSON bool) error {
	switch {
	case asJSON:
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ct)
	case table:
		fmt.Print(ct.Table())
	}
	return nil
}

func writeCombined(path string, lines int, seed uint64, discard bool) (ct samplelogs.CombinedTruth, err error) {
	var w io.Writer = os.Stdout
	if discard {
		w = io.Discard // only the truth is wanted on stdout
	}
	if path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return ct, fmt.Errorf("combined: %w", err)
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("combined: %w", cerr)
			}
		}()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, ct, err = samplelogs.WriteCombinedTruth(bw, lines, seed); err != nil {
		return ct, err
	}
	if err := bw.Flush(); err != nil {
		return ct, fmt.Errorf("combined: %w", err)
	}
	return ct, nil
}

// writeOpScenario writes a 202 scenario's files under dir (their names
// keep the scenario's directory) and its truth as dir/NAME/truth.json.
func writeOpScenario(name, dir string, seed uint64) error {
	for _, sc := range samplelogs.OpScenarios() {
		if name == "list" {
			fmt.Printf("%-28s %s\n", sc.Name, sc.Signature)
			continue
		}
		if sc.Name != name {
			continue
		}
		if dir == "" {
			return errors.New("-op-scenario needs -o DIR")
		}
		set := sc.Generate(seed)
		for _, f := range set.Files {
			p := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("write scenario: %w", err)
			}
			if err := os.WriteFile(p, f.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write scenario: %w", err)
			}
			fmt.Println(p)
		}
		b, err := json.MarshalIndent(set.Truth, "", "  ")
		if err != nil {
			return fmt.Errorf("scenario truth: %w", err)
		}
		return os.WriteFile(filepath.Join(dir, sc.Name, "truth.json"), append(b, '\n'), 0o644)
	}
	if name == "list" {
		return nil
	}
	return fmt.Errorf("no 202 scenario %q (-op-scenario list names them)", name)
}
