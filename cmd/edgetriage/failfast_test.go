package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailFast: when no input can be read the interface never starts; the
// reasons go to stderr and the exit code is 2 (an input that could not be
// read). A typo of a command is an unknown command, with the nearest one.
func TestFailFast(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "core")
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i * 13)
	}
	if err := os.WriteFile(binary, b, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "frobnicate"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"/nonexistent.log"}, []string{"unable to open /nonexistent.log: no such file or directory"}},
		{"open missing", []string{"open", "/nonexistent.log", filepath.Join(dir, "nope-*.log")}, []string{"unable to open /nonexistent.log", "no files match"}},
		{"binary", []string{binary}, []string{"binary data, not a log"}},
		{"directory without logs", []string{empty}, []string{"no log files in directory"}},
		{"typo", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, `did you mean "report"`}},
		{"near typo", []string{"tial", "x.log"}, []string{`unknown command "tial"`, `did you mean "tail"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
	// a word that is an existing path is read as one, not a command
	t.Chdir(dir)
	if err := unknownCommand("frobnicate"); err != nil {
		t.Errorf("an existing file was taken for a command: %v", err)
	}
	for _, w := range []string{"access.log", "logs/", "*.gz", "-"} {
		if err := unknownCommand(w); err != nil {
			t.Errorf("%q taken for a command: %v", w, err)
		}
	}
}
