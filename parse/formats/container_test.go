package formats

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

const (
	combinedLine = `203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] "POST /v1/jobs HTTP/1.1" 202 48 "-" "curl/8.0"`
	jsonLine     = `{"time_iso8601":"2026-11-20T10:00:00+00:00","status":"520","request":"GET /x HTTP/1.1","http_user_agent":"a \"b\""}`
)

// dockerWrap writes a line the way Docker's json-file driver does.
func dockerWrap(stream, text string) []byte {
	b, err := json.Marshal(map[string]string{"log": text, "stream": stream, "time": "2026-11-20T10:00:00.123456789Z"})
	if err != nil {
		panic(err)
	}
	return b
}

func criWrap(stream, tag, text string) []byte {
	return []byte("2026-11-20T10:00:00.123456789Z " + stream + " " + tag + " " + text)
}

func TestDetectContainers(t *testing.T) {
	tests := []struct {
		name   string
		lines  [][]byte
		format string
		want   []string // per line: "ok", "ignored" or a malformed reason
		check  func(t *testing.T, recs []parse.Record)
	}{
		{
			name: "docker combined with stderr noise and a split line",
			lines: [][]byte{
				dockerWrap("stdout", combinedLine+"\n"),
				dockerWrap("stderr", "2026/11/20 10:00:00 [error] 29#29: *1 upstream prematurely closed connection\n"),
				dockerWrap("stdout", combinedLine[:40]),
				dockerWrap("stdout", combinedLine[40:]+"\n"),
				dockerWrap("stdout", "\n"),
				[]byte(`not docker at all`),
			},
			format: "docker+combined",
			want:   []string{"ok", "ignored", "ignored", "ok", "ignored", "not a Docker json-file line"},
			check: func(t *testing.T, recs []parse.Record) {
				for _, r := range recs {
					if r.Status != 202 || r.Path != "/v1/jobs" || r.UserAgent != "curl/8.0" {
						t.Errorf("%+v", r)
					}
				}
			},
		},
		{
			name: "docker json with escapes twice over",
			lines: [][]byte{
				dockerWrap("stdout", jsonLine+"\r\n"),
				dockerWrap("stdout", jsonLine+"\n"),
			},
			format: "docker+json",
			want:   []string{"ok", "ok"},
			check: func(t *testing.T, recs []parse.Record) {
				for _, r := range recs {
					if r.Status != 520 || r.UserAgent != `a "b"` || r.Path != "/x" {
						t.Errorf("%+v", r)
					}
				}
			},
		},
		{
			name: "cri json with partial pieces",
			lines: [][]byte{
				criWrap("stdout", "F", jsonLine),
				criWrap("stdout", "P", jsonLine[:30]),
				criWrap("stdout", "P", jsonLine[30:60]),
				criWrap("stdout", "F", jsonLine[60:]),
				criWrap("stderr", "F", "panic: something"),
				criWrap("stdout", "F", `{"broken":`),
				[]byte("2026-11-20 stdout F x"),
			},
			format: "cri+json",
			want:   []string{"ok", "ignored", "ignored", "ok", "ignored", "truncated JSON", "not a CRI log line"},
			check: func(t *testing.T, recs []parse.Record) {
				for _, r := range recs {
					if r.Status != 520 || r.UserAgent != `a "b"` {
						t.Errorf("%+v", r)
					}
				}
			},
		},
		{
			name: "cri combined",
			lines: [][]byte{
				criWrap("stdout", "F", combinedLine),
				criWrap("stdout", "F", combinedLine),
			},
			format: "cri+combined",
			want:   []string{"ok", "ok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detect(tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format() != tt.format {
				t.Fatalf("Format() = %q, want %q", p.Format(), tt.format)
			}
			if again, err := New(p.Format()); err != nil || again.Format() != p.Format() {
				t.Fatalf("New(%q) does not rebuild the parser: %v", p.Format(), err)
			}
			var recs []parse.Record
			for i, l := range tt.lines {
				var r parse.Record
				err := p.Parse(l, &r)
				got := "ok"
				switch {
				case err == nil:
					recs = append(recs, r.Clone())
				case errors.Is(err, parse.ErrIgnored):
					got = "ignored"
				default:
					got = err.Error()
				}
				if !strings.Contains(got, tt.want[i]) {
					t.Errorf("line %d: got %q, want %q", i+1, got, tt.want[i])
				}
			}
			if tt.check != nil {
				tt.check(t, recs)
			}
		})
	}
}

func TestUnwrapperJoinLimit(t *testing.T) {
	p, err := New("cri+json")
	if err != nil {
		t.Fatal(err)
	}
	piece := strings.Repeat("x", 64<<10)
	var r parse.Record
	for i := 0; i < 17; i++ { // 17 * 64 KiB > 1 MiB
		if err := p.Parse(criWrap("stdout", "P", piece), &r); !errors.Is(err, parse.ErrIgnored) {
			t.Fatalf("piece %d: %v", i, err)
		}
	}
	if err := p.Parse(criWrap("stdout", "F", "}"), &r); !parse.IsMalformed(err) || !strings.Contains(err.Error(), "over 1 MiB") {
		t.Fatalf("joined over the limit: %v", err)
	}
	// The next line is whole again.
	if err := p.Parse(criWrap("stdout", "F", jsonLine), &r); err != nil {
		t.Fatal(err)
	}
}

func TestDockerZeroCopy(t *testing.T) {
	// A line without escapes other than its "\n" needs no copy.
	p, err := New("docker+combined")
	if err != nil {
		t.Fatal(err)
	}
	line := dockerWrap("stdout", "203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n")
	// json.Marshal escaped the quotes: this one allocates; build one
	// without, in a format without quotes (a bad line would allocate its
	// error, with the column).
	plain := []byte(`{"log":"203.0.113.9 [20/Nov/2026:10:00:00 +0000] GET / 200 1\n","stream":"stdout","time":"2026-11-20T10:00:00Z"}`)
	var r parse.Record
	if err := p.Parse(line, &r); err != nil {
		t.Fatal(err)
	}
	p, err = New("docker+nginx:$remote_addr [$time_local] $request_method $uri $status $body_bytes_sent")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Parse(plain, &r); err != nil || r.Status != 200 {
		t.Fatalf("%v %+v", err, r)
	}
	allocs := testing.AllocsPerRun(20, func() { _ = p.Parse(plain, &r) })
	if allocs != 0 {
		t.Errorf("%v allocs", allocs)
	}
}
