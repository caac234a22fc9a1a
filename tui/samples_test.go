package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// The bundled demo logs, read once per test binary through the real
// pipeline, engine and cause rules: the goldens show what a user of
// `edgetriage` with no arguments sees.
var (
	samplesOnce sync.Once
	samplesU    Update
	samplesRing *Ring
	samplesErr  error
)

// sampleNow is the fake wall clock of the sample goldens: an hour after
// the demo's last line.
var sampleNow = time.Date(2026, 11, 20, 10, 50, 0, 0, time.UTC)

const samplePrefix = "sample-logs/"

func loadSamples() {
	set, err := causes.Load()
	if err != nil {
		samplesErr = fmt.Errorf("cause rules: %w", err)
		return
	}
	cfg := rules.DefaultConfig()
	cfg.Explain = set.Explain
	cfg.Routes = set.Routes()
	// Logs without a host are named by their place in the samples, as the
	// app (cmd/edgetriage/samples.go) names them, not by the path read.
	cfg.Origin = func(in string) string {
		if rest, ok := strings.CutPrefix(in, samplePrefix); ok {
			return rules.DefaultOrigin(rest)
		}
		return rules.DefaultOrigin(in)
	}
	eng := rules.NewEngine(cfg)

	var sources []input.Source
	var formats []string
	for _, f := range samplelogs.Files() {
		name := f.Name
		sources = append(sources, input.Source{Name: samplePrefix + name, Open: func() (io.ReadCloser, error) {
			return samplelogs.Open(name)
		}})
		formats = append(formats, samplePrefix+name+"="+f.Format)
	}
	ring := NewRing(DefaultRingSize)
	res, err := input.Run(context.Background(), input.Options{Sources: sources, Formats: formats, Workers: 1},
		func(batch []parse.Record) {
			ring.Add(batch)
			eng.Add(batch)
		})
	if err != nil {
		samplesErr = fmt.Errorf("reading the samples: %w", err)
		return
	}
	if res.Failed() {
		samplesErr = errors.New("reading the samples: an input failed")
		return
	}
	snap := eng.Finish()
	samplesU = Update{Snapshot: snap, Inputs: res.Inputs, Totals: res.Totals,
		Progress: Progress{BytesRead: res.Totals.Bytes, BytesTotal: res.Totals.Bytes, Lines: res.Totals.Lines,
			LinesPerSec: 250_000, Done: true}}
	samplesRing = ring
}

// sampleUpdate is the final pipeline state over the bundled samples.
func sampleUpdate(t testing.TB) (Update, *Ring) {
	t.Helper()
	samplesOnce.Do(loadSamples)
	if samplesErr != nil {
		t.Fatal(samplesErr)
	}
	if len(samplesU.Snapshot.Findings) == 0 {
		t.Fatal("the bundled samples gave no findings")
	}
	return samplesU, samplesRing
}

// sampleReadRaw re-reads a line of an embedded sample by byte offset, as
// cmd's reader does for the files it extracts.
func sampleReadRaw(path string, offset int64) (string, error) {
	name, ok := strings.CutPrefix(path, samplePrefix)
	if !ok {
		return "", fmt.Errorf("not a sample: %s", path)
	}
	f, err := samplelogs.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if _, err := br.Discard(int(offset)); err != nil {
		return "", fmt.Errorf("seeking to %d: %w", offset, err)
	}
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// sampleOptions wires the sample state into a closed channel, with a fake
// clock so that the goldens are stable.
func sampleOptions(t testing.TB) Options {
	u, ring := sampleUpdate(t)
	ch := make(chan Update, 1)
	ch <- u
	close(ch)
	return Options{Updates: ch, Recent: ring, ReadRaw: sampleReadRaw,
		Now: func() time.Time { return sampleNow }, Clipboard: func(string) error { return nil }}
}
