package report

// RedactText masks client addresses and query strings in one piece of
// log-derived text (a raw line, a parsed field), as the report does; keep
// lists addresses that are not clients' (origins, upstreams). The
// interface uses it for every view and the clipboard under --redact.
func RedactText(s string, keep ...string) string {
	r := &redactor{keep: map[string]bool{}}
	for _, k := range keep {
		r.keepAddr(k)
	}
	return r.text(s)
}
