package rules

import (
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// sampleRef is the compact form of a retained request.
type sampleRef struct {
	input     string
	line      int64
	offset    int64
	t         int64
	status    int
	method    string
	path      string
	requestID string
	raw       string
	role      string
}

func (s *sampleRef) sample() Sample {
	return Sample{Input: s.input, Line: s.line, Offset: s.offset, Time: ts(s.t), RequestID: s.requestID,
		Method: s.method, Path: s.path, Status: s.status, Role: s.role, Raw: s.raw}
}

// rawCap bounds a retained raw line.
const rawCap = 1024

// archiveSuffixes mark inputs whose lines cannot be read again cheaply by
// offset: their raw lines are retained with the sample.
var archiveSuffixes = []string{".gz", ".bz2", ".xz", ".zst", ".zstd", ".zip", ".tar", ".tgz", ".lz4"}

func keepRaw(input string) bool {
	if input == "-" || input == "" {
		return true
	}
	l := strings.ToLower(input)
	for _, s := range archiveSuffixes {
		if strings.HasSuffix(l, s) || strings.Contains(l, s+"!") || strings.Contains(l, s+":") {
			return true
		}
	}
	return false
}

func (e *Engine) sampleOf(r *parse.Record, role string, path string) sampleRef {
	s := sampleRef{input: e.inputName(r.Input), line: r.Line, offset: r.Offset, t: r.Time, status: r.Status,
		method: e.in.get(r.Method), path: path, role: role}
	if r.RequestID != "" {
		s.requestID = strings.Clone(r.RequestID)
	}
	if r.Raw != "" && e.rawKept {
		s.raw = cappedRaw(r.Raw)
	}
	return s
}

// inputName interns a record's input name and decides once per input
// whether its raw lines are retained (keepRaw), since records of one input
// come in runs.
func (e *Engine) inputName(in string) string {
	if e.lastRefInOK && in == e.lastRefIn {
		return e.lastRefIn
	}
	e.lastRefIn = e.in.get(in)
	e.lastRefInOK = true
	e.rawKept = keepRaw(in)
	return e.lastRefIn
}

func cappedRaw(raw string) string {
	if len(raw) > rawCap {
		raw = raw[:rawCap]
	}
	return strings.Clone(raw)
}
