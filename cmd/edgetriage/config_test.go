package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A default config that cannot be read is a warning and the run goes on
// with the defaults; an explicit --config that cannot be read is an error.
func TestUnreadableDefaultConfigIsAWarning(t *testing.T) {
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	logPath := writeFile(t, t.TempDir(), "a.log", []byte(combinedLine(base, "web", "GET", "/", 200)))
	tests := []struct {
		name     string
		setup    func(t *testing.T, xdg string) // shapes $XDG_CONFIG_HOME
		explicit bool                           // also pass --config with the default path
		wantCode int
		wantErr  string
	}{
		{"missing", func(*testing.T, string) {}, false, exitOK, ""},
		{"config.yaml is a directory", func(t *testing.T, xdg string) {
			mkdir(t, filepath.Join(xdg, "edgetriage", "config.yaml"))
		}, false, exitOK, "warning: default config not read"},
		{"edgetriage is a plain file", func(t *testing.T, xdg string) {
			writeFile(t, xdg, "edgetriage", []byte("not a directory"))
		}, false, exitOK, "warning: default config not read"},
		{"explicit config is a directory", func(t *testing.T, xdg string) {
			mkdir(t, filepath.Join(xdg, "edgetriage", "config.yaml"))
		}, true, exitUsage, "config: read"},
		{"explicit config missing", func(*testing.T, string) {}, true, exitUsage, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xdg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", xdg)
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			tt.setup(t, xdg)
			args := []string{"report"}
			if tt.explicit {
				args = append(args, "--config", filepath.Join(xdg, "edgetriage", "config.yaml"))
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), append(args, logPath), bytes.NewReader(nil), &out, &errb)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if tt.wantErr == "" && errb.Len() > 0 || !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr %q, want %q", errb.String(), tt.wantErr)
			}
			if tt.wantCode == exitOK && !strings.Contains(out.String(), "a.log") {
				t.Errorf("no report on stdout: %q", out.String())
			}
		})
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}
