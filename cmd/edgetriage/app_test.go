package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestStdinHasLogs: with no PATH, a pipe or a redirected file is read, while
// /dev/null (a character device, but no terminal) or no stdin at all mean
// the bundled samples; output to /dev/null is not for a terminal.
func TestStdinHasLogs(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	regular, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	tests := []struct {
		name string
		in   any
		want bool
	}{
		{"nil", nil, false},
		{"/dev/null", devnull, false},
		{"pipe", r, true},
		{"redirected file", regular, true},
		{"in-process reader", bytes.NewReader(nil), true},
	}
	for _, tt := range tests {
		var in interface{ Read([]byte) (int, error) }
		if tt.in != nil {
			in = tt.in.(interface{ Read([]byte) (int, error) })
		}
		if got := stdinHasLogs(in); got != tt.want {
			t.Errorf("%s: stdinHasLogs = %v, want %v", tt.name, got, tt.want)
		}
	}
	if isTerminal(devnull) {
		t.Error("/dev/null taken for a terminal")
	}
}
