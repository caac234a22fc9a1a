package causes

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
)

// hostile values a client can put in a request path, a Host header or an
// upstream field.
var hostile = []string{
	`/a;touch${IFS}PWNED`,
	`/a$(touch PWNED)`,
	"/a`touch PWNED`",
	`/it's'"quoted"`,
	"/line\nbreak;touch PWNED",
	"/tab\there&&touch PWNED|cat",
	`/x' ; touch PWNED ; '`,
	`/back\slash\'`,
	"/\x1b[31mred\x9b",
	"/ünïcode/{id}",
}

func TestShqRoundTrip(t *testing.T) {
	sh := needShell(t)
	values := append([]string{"", "plain", "a b", "'", "''", `\`, "$HOME", "!", "~", "-n", "*", "#x"}, hostile...)
	for _, v := range values {
		out, stderr := runShell(t, sh, t.TempDir(), `printf '%s\0' `+shq(v))
		if stderr != "" || out != v+"\x00" {
			t.Errorf("shq(%q) = %s: shell saw %q (stderr %q)", v, shq(v), out, stderr)
		}
	}
}

func TestURLPath(t *testing.T) {
	cases := map[string]string{
		"/v1/cart":            "/v1/cart",
		"":                    "/",
		"x":                   "/x",
		"/a b":                "/a%20b",
		"/a\nb":               "/a%0Ab",
		"/{id}`x`":            "/%7Bid%7D%60x%60",
		"/ü":                  "/%C3%BC",
		"/a;b$c'd%41?q=1&r=2": "/a;b$c'd%41?q=1&r=2",
	}
	for in, want := range cases {
		if got := urlPath(in); got != want {
			t.Errorf("urlPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHostValidation(t *testing.T) {
	cases := map[string]bool{
		"api.example.com": true, "localhost": true, "xn--bcher-kva.example": true, "a-b.c": true, "example.com.": true,
		"": false, "nasty.log": false, "access.log.1": false, "cf.ndjson": false, "x.gz": false, "203.0.113.7": false,
		"a;b.com": false, "$(id).com": false, "-a.com": false, "a..com": false, "a_b.com": false, "host:443": false,
		"a b.com": false, "web1/access.log": false, strings.Repeat("a", 64) + ".com": false,
	}
	for in, want := range cases {
		if got := validHostname(in); got != want {
			t.Errorf("validHostname(%q) = %v, want %v", in, got, want)
		}
	}
}

// Never a file name as a host: a plain log's origin is its file name.
func TestNoFileNameAsHost(t *testing.T) {
	f := burst(rules.KindBurst520, 520, map[string]float64{"edge": 0})
	f.Origin = "myaccess"
	f.Samples[0].Input = "/var/log/myaccess.log"
	mustLoad(t).Explain(f)
	joined := strings.Join(f.Fixes, "\n")
	if strings.Contains(joined, "myaccess:443") || strings.Contains(joined, "https://myaccess") {
		t.Errorf("file name used as a host:\n%s", joined)
	}
	if !strings.Contains(joined, "YOUR_HOST") || !strings.Contains(joined, "--origin") {
		t.Errorf("no YOUR_HOST placeholder and --origin hint:\n%s", joined)
	}
}

// Every command a default rule suggests stays one simple command with each
// value as one argument, whatever the log puts in the path, host and
// upstream.
func TestSuggestedCommandsResistInjection(t *testing.T) {
	sh := needShell(t)
	s := mustLoad(t)
	type place struct {
		name string
		set  func(f *rules.Finding, v string)
	}
	places := []place{
		{"path", func(f *rules.Finding, v string) {
			f.Context["paths"] = []string{v + " (40)"}
			f.Samples[0].Path = v
		}},
		{"host", func(f *rules.Finding, v string) { f.Origin = v }},
		{"host context", func(f *rules.Finding, v string) {
			f.Context["host"] = "x" + strings.TrimPrefix(v, "/") + ".example.com"
		}},
		{"upstream", func(f *rules.Finding, v string) { f.Context["upstreams_failed"] = []string{v + " (3)"} }},
	}
	commands := 0
	for _, pl := range places {
		for _, v := range hostile {
			for _, kind := range []rules.Kind{rules.KindBurst520, rules.KindBurst5xx} {
				f := burst(kind, map[rules.Kind]int{rules.KindBurst520: 520, rules.KindBurst5xx: 502}[kind], nil)
				pl.set(f, v)
				data := templateData(f)
				for _, fx := range allFixes(s, kind, data) {
					for _, cmd := range commandsIn(t, fx) {
						commands++
						checkCommand(t, sh, cmd, v, f)
					}
				}
			}
		}
	}
	if commands < 100 {
		t.Errorf("only %d commands checked", commands)
	}
}

// allFixes renders every fix template of every rule of kind (whether or
// not its condition holds) and the kind's generic fixes.
func allFixes(s *Set, kind rules.Kind, data map[string]any) []string {
	var ts []ruleTemplate
	for _, r := range s.causes {
		for _, k := range r.def.Kinds {
			if k == kind {
				ts = append(ts, r.fixes...)
			}
		}
	}
	ts = append(ts, s.generic[string(kind)]...)
	var out []string
	var w cappedWriter
	for _, t := range ts {
		if err := execute(t.t, data, &w); err == nil {
			out = append(out, collapseSpace(w.String()))
		}
	}
	return out
}

var (
	commandSpan = regexp.MustCompile("`([^`]*)`")
	commandWord = regexp.MustCompile(`(^|\s)(curl|openssl|tcpdump|dig|mtr|traceroute|nc|wget)\s+(-|\S+\s+-)`)
)

// commandsIn returns the commands of a fix: the `backquoted` spans that
// start with a command. A command outside them is an error, so no command
// escapes the check.
func commandsIn(t *testing.T, fx string) []string {
	var out []string
	for _, m := range commandSpan.FindAllStringSubmatch(fx, -1) {
		if commandWord.MatchString(m[1] + " ") {
			out = append(out, m[1])
		}
	}
	if rest := commandSpan.ReplaceAllString(fx, ""); commandWord.MatchString(rest) {
		t.Errorf("a command outside backquotes: %q", fx)
	}
	return out
}

// checkCommand parses cmd with sh -n, then runs it with the command
// replaced by a shell function that prints its arguments, PATH emptied
// and in an empty directory: exactly one call, nothing on stderr, no file
// created, and the hostile value (when the command carries it) intact in
// one argument.
func checkCommand(t *testing.T, sh, cmd, value string, f *rules.Finding) {
	t.Helper()
	if out, err := exec.Command(sh, "-n", "-c", cmd).CombinedOutput(); err != nil {
		t.Errorf("sh -n %q: %v %s", cmd, err, out)
		return
	}
	dir := t.TempDir()
	out, stderr := runShell(t, sh, dir, cmd)
	if stderr != "" {
		t.Errorf("%q: stderr %q", cmd, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("%q created %s", cmd, entries[0].Name())
	}
	calls := strings.Split(strings.TrimPrefix(out, "\x01"), "\x01")
	if len(calls) != 1 {
		t.Errorf("%q: %d command calls, want 1: %q", cmd, len(calls), out)
		return
	}
	args := strings.Split(strings.TrimSuffix(calls[0], "\x00"), "\x00")
	if name, _, _ := strings.Cut(cmd, " "); args[0] != name {
		t.Errorf("%q ran %q", cmd, args[0])
	}
	for _, a := range args {
		if strings.Contains(a, "PWNED") && !strings.Contains(a, "https://") && !strings.Contains(a, "example.com") {
			t.Errorf("%q: the hostile value leaked into argument %q", cmd, a)
		}
	}
	if host := hostOf(f); host == "" && strings.Contains(cmd, "--resolve") {
		if !containsArgPrefix(args, "YOUR_HOST:443:") {
			t.Errorf("%q: no YOUR_HOST placeholder for an unusable host %q", cmd, f.Origin)
		}
	}
	if p := contextList(f.Context, "paths"); len(p) > 0 && strings.Contains(cmd, "://") && !strings.HasSuffix(cmd, "/'") {
		want := "https://" + orPlaceholder(hostOf(f), hostPlaceholder) + urlPath(value)
		if stripCount(p[0]) == value && !containsArg(args, want) && !containsArgPrefix(args, "https://"+orPlaceholder(hostOf(f), hostPlaceholder)+"/") {
			t.Errorf("%q: no argument %q", cmd, want)
		}
	}
}

func containsArg(args []string, want string) bool {
	for _, a := range args {
		if a == want {
			return true
		}
	}
	return false
}

func containsArgPrefix(args []string, prefix string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, prefix) {
			return true
		}
	}
	return false
}

// runShell runs script under sh with the usual commands replaced by
// functions that print \x01 then each argument NUL-terminated, with an
// empty PATH so that anything else fails loudly.
func runShell(t *testing.T, sh, dir, script string) (stdout, stderr string) {
	t.Helper()
	shims := ""
	for _, name := range []string{"curl", "openssl", "tcpdump", "dig", "mtr", "traceroute"} {
		shims += name + `() { printf '\001%s\0' ` + name + `; printf '%s\0' "$@"; }; `
	}
	cmd := exec.Command(sh, "-c", shims+script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Join(dir, "no-such-dir"), "HOME=" + dir}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run()
	return out.String(), errb.String()
}

func needShell(t *testing.T) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	return sh
}
