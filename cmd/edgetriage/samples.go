package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// useBundledSamples points a at the demo logs embedded in the binary. The
// pipeline reads files (and the interface re-reads raw lines by offset), so
// the samples are written to the user's cache directory first.
func (a *app) useBundledSamples() error {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "edgetriage", version, "sample-logs")
	var paths, formats []string
	for _, f := range samplelogs.Files() {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := extract(f.Name, dst); err != nil {
			return fmt.Errorf("bundled samples: %w", err)
		}
		paths = append(paths, dst)
		formats = append(formats, dst+"="+f.Format)
	}
	a.input.Paths = paths
	// The manifest knows every file's format; user overrides still win.
	a.input.Formats = append(a.input.Formats, formats...)
	// Logs without a host are named by their place in the samples, not by
	// the cache path.
	prefix := dir + string(filepath.Separator)
	resolve := a.rules.Origin
	a.rules.Origin = func(in string) string {
		if rest, ok := strings.CutPrefix(in, prefix); ok {
			return rules.DefaultOrigin(filepath.ToSlash(rest))
		}
		return resolve(in)
	}
	return nil
}

// extract writes one embedded file to dst through a temporary file, so a
// concurrent run never reads half a file.
func extract(name, dst string) error {
	src, err := samplelogs.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".sample-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
