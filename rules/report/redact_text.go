package report

// TextRedactor masks client addresses and query strings in single pieces
// of log-derived text (a raw line, a parsed field), as the report does.
// The interface uses one for every view and the clipboard under --redact.
type TextRedactor struct{ r *redactor }

// NewTextRedactor keeps the addresses in keep (origins, upstreams: they
// name servers, not clients).
func NewTextRedactor(keep ...string) *TextRedactor {
	r := &redactor{keep: map[string]bool{}}
	for _, k := range keep {
		r.keepAddr(k)
	}
	return &TextRedactor{r: r}
}

// Text returns s with client addresses and query strings masked.
func (t *TextRedactor) Text(s string) string { return t.r.text(s) }
