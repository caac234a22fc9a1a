// Command edgetriage finds 520 bursts and never-completed 202s in access
// and CDN logs, in a terminal interface or as a headless report.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signalContext(context.Background())
	stopProfile := startProfile(os.Getenv("EDGETRIAGE_CPUPROFILE"))
	stopTrace := startTrace(os.Getenv("EDGETRIAGE_TRACE"))
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stopProfile()
	writeHeapProfile(os.Getenv("EDGETRIAGE_MEMPROFILE"))
	code = signalExitCode(ctx, code)
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile to path when it is set (a developer's
// switch for performance work, not a user-facing flag).
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "edgetriage: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "edgetriage: cpu profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// startTrace writes a runtime execution trace to path when it is set (a
// developer's switch, like EDGETRIAGE_CPUPROFILE): where the pipeline's
// goroutines wait, read with go tool trace.
func startTrace(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "edgetriage: trace: %v\n", err)
		return func() {}
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintf(os.Stderr, "edgetriage: trace: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() { trace.Stop(); f.Close() }
}

// writeHeapProfile writes the live heap at exit to path when it is set:
// what the run still holds after reading all its input (a developer's
// switch, like EDGETRIAGE_CPUPROFILE).
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "edgetriage: heap profile: %v\n", err)
	}
}

// run is the whole program minus the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--version" || a == "-version" {
			fmt.Fprintln(stdout, "edgetriage", version)
			return exitOK
		}
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		if len(args) > 0 {
			fmt.Fprint(stdout, usageTop)
			return exitOK
		}
	}
	// Help that was asked for goes to stdout (edgetriage report --help |
	// less); the flag package's complaint about a bad flag, with the usage
	// after it, goes to stderr.
	var flagOut bytes.Buffer
	o, err := parseArgs(args, &flagOut)
	if err != nil {
		if isHelp(err) {
			if flagOut.Len() == 0 {
				fmt.Fprint(stdout, usageTop)
			}
			_, _ = stdout.Write(flagOut.Bytes())
			return exitOK
		}
		_, _ = stderr.Write(flagOut.Bytes())
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		}
		return exitUsage
	}
	cfg, err := buildConfig(o)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	for _, w := range cfg.warnings {
		fmt.Fprintf(stderr, "edgetriage: warning: %s\n", w)
	}
	switch o.command {
	case "rules":
		return runRules(cfg, stdout, stderr)
	case "report":
		return runReport(ctx, cfg, stdin, stdout, stderr)
	case "ch-load":
		return runLoad(ctx, cfg, stdout, stderr)
	default:
		return runInterface(ctx, cfg, stdin, stdout, stderr)
	}
}
