package cdn

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// Cloudflare Logpush can write http_requests as CSV or with another field
// delimiter (output_options: output_type "csv", field_delimiter), with the
// fields in the job's field_names order and no names on the lines. The
// order must then be given: cloudflare-csv:<Field>,<Field>,... (or
// cloudflare-tsv: for a tab delimiter). A file whose first line names the
// fields (a batch_prefix header) is detected and read with that order.

// Names of the delimited Cloudflare formats, before ":<fields>".
const (
	CloudflareCSV = "cloudflare-csv"
	CloudflareTSV = "cloudflare-tsv"
)

var errCFDelimited = parse.MalformedField("fields", "cloudflare-csv: fewer fields than the field list")

// maxCSVFields bounds the field list (Cloudflare has about 80 http_requests fields).
const maxCSVFields = 160

// NewCloudflareDelimited returns the parser for Cloudflare http_requests
// lines with fields in the given order, separated by sep (',' or '\t').
// Each value is read as the same-named NDJSON field would be (see
// NewCloudflare); a CSV value may be quoted ("a,b", "" for a quote). A line
// equal to the field names is a header, ignored.
func NewCloudflareDelimited(sep byte, fields []string) (parse.Parser, error) {
	if sep != ',' && sep != '\t' {
		return nil, fmt.Errorf("cloudflare: field delimiter %q: want ',' or tab", sep)
	}
	if len(fields) == 0 || len(fields) > maxCSVFields {
		return nil, fmt.Errorf("cloudflare: %d fields: want 1 to %d", len(fields), maxCSVFields)
	}
	has := map[string]bool{}
	for _, f := range fields {
		if f == "" || strings.ContainsAny(f, ", \t\"") {
			return nil, fmt.Errorf("cloudflare: bad field name %q", f)
		}
		has[f] = true
	}
	if !has["EdgeStartTimestamp"] || !has["EdgeResponseStatus"] {
		return nil, fmt.Errorf("cloudflare: the field list needs EdgeStartTimestamp and EdgeResponseStatus")
	}
	name := CloudflareCSV
	if sep == '\t' {
		name = CloudflareTSV
	}
	p := &cloudflareDelimited{sep: sep, fields: fields, name: name + ":" + strings.Join(fields, ",")}
	for _, f := range fields {
		p.keys = append(p.keys, cfKeys.field([]byte(f)))
	}
	p.header = []byte(strings.Join(fields, string(sep)))
	return p, nil
}

// CloudflareHeader reads a header line of Cloudflare field names: its
// delimiter and the names, if the line is one (it names EdgeStartTimestamp
// and EdgeResponseStatus and nothing but identifiers).
func CloudflareHeader(line []byte) (sep byte, fields []string, ok bool) {
	line = bytes.TrimRight(line, "\r")
	switch {
	case bytes.IndexByte(line, '\t') >= 0:
		sep = '\t'
	case bytes.IndexByte(line, ',') >= 0:
		sep = ','
	default:
		return 0, nil, false
	}
	start, status := false, false
	for _, f := range bytes.Split(line, []byte{sep}) {
		if len(f) == 0 || len(f) > 64 {
			return 0, nil, false
		}
		for _, c := range f {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return 0, nil, false
			}
		}
		start = start || string(f) == "EdgeStartTimestamp"
		status = status || string(f) == "EdgeResponseStatus"
		fields = append(fields, string(f))
	}
	return sep, fields, start && status && len(fields) <= maxCSVFields
}

type cloudflareDelimited struct {
	sep    byte
	fields []string
	keys   []cfField // what each column names, for cfLine.member
	name   string
	header []byte
}

func (p *cloudflareDelimited) Format() string { return p.name }

func (p *cloudflareDelimited) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	line = bytes.TrimRight(line, "\r")
	if bytes.Equal(line, p.header) {
		return parse.ErrIgnored
	}
	rec.Source = parse.SourceEdge
	st := cfLine{locRank: len(locationHeaders)}
	rest := line
	for i, key := range p.keys {
		if rest == nil {
			return parse.MalformedIn(errCFDelimited, line, line[len(line):])
		}
		var v []byte
		v, rest = cutField(rest, p.sep)
		if i == len(p.fields)-1 && rest != nil {
			rest = nil // text after the last field is ignored
		}
		if len(v) == 0 {
			continue // an empty CSV field: not logged
		}
		st.member(key, jsonscan.Value{Kind: jsonscan.String, Raw: v}, rec)
	}
	return st.finishAt(rec, line, line)
}

// cutField cuts the first field off b: its value (without CSV quotes; a ""
// inside stays as logged) and the rest after the delimiter, nil when b held
// the last field.
func cutField(b []byte, sep byte) (val, rest []byte) {
	if len(b) > 0 && b[0] == '"' {
		i := 1
		for i < len(b) {
			if b[i] == '"' {
				if i+1 < len(b) && b[i+1] == '"' {
					i += 2
					continue
				}
				break
			}
			i++
		}
		val = b[1:min(i, len(b))]
		if i+1 < len(b) && b[i+1] == sep {
			return val, b[i+2:]
		}
		return val, nil
	}
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}
