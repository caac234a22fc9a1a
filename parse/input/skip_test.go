package input

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDirectorySkipsFilesThatAreNotLogs: certificates, patches and
// binaries in a log directory are left out by name or first bytes and
// listed; --all-files reads them; logs (plain or compressed, whatever
// their name) are kept.
func TestDirectorySkipsFilesThatAreNotLogs(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"access.log":          `203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"` + "\n",
		"access.log.2.gz":     "\x1f\x8b\x08\x00rest-of-gzip",
		"noext":               `{"ClientIP":"203.0.113.7"}` + "\n",
		"cacert.pem":          "-----BEGIN CERTIFICATE-----\nMIIB\n",
		"server.key.bak":      "-----BEGIN PRIVATE KEY-----\nMIIE\n",
		"fix.patch":           "diff --git a/x b/x\n",
		"0001-fix":            "From 3f2a9c0e8b1d4f6a7c5e2b9d0a1f3e5c7b9d2f4a Mon Sep 17 00:00:00 2001\nFrom: a <a@b>\nSubject: [PATCH] fix\n",
		"tool":                "\x7fELF\x02\x01\x01\x00\x00\x00",
		"data.bin2":           binaryBytes(),
		"crash-hole.log":      "203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n\x00\x00\x00\x00\x00\x00\x00\x00\n",
		".hidden":             "x",
		"README":              "notes\n",
		"nginx-error.log":     "2026/11/20 10:00:00 [error] 1#1: oops\n",
		"empty.log":           "",
		"http_requests-1.log": `{"EdgeStartTimestamp":1}` + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var e expander
	var got []string
	for _, s := range e.expand([]string{dir}, false) {
		if s.err != nil {
			t.Errorf("%s: %v", s.path, s.err)
		}
		got = append(got, filepath.Base(s.path))
	}
	slices.Sort(got)
	want := []string{"access.log", "access.log.2.gz", "crash-hole.log", "empty.log", "http_requests-1.log", "noext"}
	if !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	var skipped []string
	for _, p := range e.skipped {
		skipped = append(skipped, filepath.Base(p))
	}
	slices.Sort(skipped)
	wantSkipped := []string{"0001-fix", "README", "cacert.pem", "data.bin2", "fix.patch", "nginx-error.log", "server.key.bak", "tool"}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped %v, want %v", skipped, wantSkipped)
	}
	note := SkippedNote(e.skipped)
	if !strings.HasPrefix(note, "skipped 8 files that are not logs (") || !strings.HasSuffix(note, "+5 more); --all-files to read them") {
		t.Errorf("note = %q", note)
	}

	all := expander{all: true}
	if n := len(all.expand([]string{dir}, false)); n != len(files)-1 || len(all.skipped) != 0 {
		t.Errorf("--all-files read %d files and skipped %d, want %d and 0", n, len(all.skipped), len(files)-1)
	}
	// a file named on the command line is read whatever it is
	if srcs := expand([]string{filepath.Join(dir, "cacert.pem")}, false); len(srcs) != 1 || srcs[0].err != nil {
		t.Errorf("a file given by name was left out: %+v", srcs)
	}
	if SkippedNote(nil) != "" {
		t.Errorf("a note with nothing skipped")
	}
}

// binaryBytes is compiled-looking data: every byte value in turn.
func binaryBytes() string {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return string(b)
}
