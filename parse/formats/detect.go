package formats

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/parse/cdn"
)

// maxSample bounds the lines Detect looks at.
const maxSample = 200

// ingressNginx is ingress-nginx's default log_format ("upstreaminfo"): the
// combined format plus upstream fields, among them the retry lists and the
// request id that the rules use, so it is worth telling apart from combined.
const ingressNginx = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`

// candidate is a format Detect tries; the most specific come first, and win
// ties.
type candidate struct {
	name string
	make func() (parse.Parser, error)
}

func plainCandidates(sample [][]byte) []candidate {
	guessed := slices.DeleteFunc(slices.Clone(registry), func(f format) bool { return f.detect == 0 })
	slices.SortFunc(guessed, func(a, b format) int { return a.detect - b.detect })
	cands := make([]candidate, 0, len(guessed)+3)
	for _, f := range guessed {
		cands = append(cands, candidate{f.name, func() (parse.Parser, error) { return f.make("") }})
	}
	// nginx-ingress's default format: combined plus upstream fields (see
	// ingressNginx), less specific than the formats above.
	cands = append(cands, candidate{"nginx:" + ingressNginx, func() (parse.Parser, error) { return accesslog.NewNginx(ingressNginx) }})
	// Delimited Cloudflare output is recognised by a header line naming
	// its fields (without one, the field order must be given by name).
	if sep, fields, ok := cdn.CloudflareHeader(sample[0]); ok {
		cands = append([]candidate{{"cloudflare-csv", func() (parse.Parser, error) {
			return cdn.NewCloudflareDelimited(sep, fields)
		}}}, cands...)
	}
	// The NCSA parsers read every variant; the name reported is the variant
	// most lines have.
	if v := ncsaMajority(sample); v != "" {
		cands = append(cands, candidate{v, func() (parse.Parser, error) { return accesslog.New(v) }})
	}
	return cands
}

func ncsaMajority(sample [][]byte) string {
	counts := map[string]int{}
	for _, l := range sample {
		if v := accesslog.Variant(l); v != "" {
			counts[v]++
		}
	}
	best, bestN := "", 0
	for _, v := range []string{"combined", "vhost_combined", "common"} { // tie order
		if counts[v] > bestN {
			best, bestN = v, counts[v]
		}
	}
	return best
}

// score is how a candidate did on the sample.
type score struct {
	name               string
	cand               candidate
	parser             parse.Parser
	parsed, ignored    int
	malformed          int
	firstReason        string
	cloudFrontHeader   bool
	constructionFailed error
}

// minShare is the least share of the sampled lines (headers and comments
// aside) a format must parse to be used for a file: below it the file is not
// a known log. Above it the lines the format rejects count as malformed, with
// examples, instead of the whole file being lost.
const minShare = 0.30

func (s score) usable() bool {
	return s.constructionFailed == nil && s.parsed > 0 &&
		float64(s.parsed) >= minShare*float64(s.parsed+s.malformed)
}

func (s score) String() string {
	if s.constructionFailed != nil {
		return fmt.Sprintf("%s (%v)", short(s.name), s.constructionFailed)
	}
	txt := fmt.Sprintf("%s (%d of %d parsed", short(s.name), s.parsed, s.parsed+s.malformed)
	if s.firstReason != "" {
		txt += "; " + s.firstReason
	}
	return txt + ")"
}

func short(name string) string {
	if len(name) > 40 {
		return name[:37] + "..."
	}
	return name
}

// Detect picks the format that fits the first lines of an input best and
// returns a fresh parser for it (to be used for the whole input, from its
// first line: CloudFront reads its #Fields header). Blank lines are skipped.
// Each candidate parses the sample; the one that parses the most lines wins,
// the more specific format winning ties (CloudFront's #Version/#Fields
// header settles it outright, even before any data line). A format must
// parse at least 30% of the sampled lines that are not its own headers or
// comments; below that the input is not a known log, and the error says
// what was tried and how each did. A format that fits only part of the
// sample is still used: the lines it rejects are malformed (with examples),
// and the parser's Label gives its share ("combined, 43% of sampled lines")
// for the inputs list. Lines wrapped by a container runtime are unwrapped
// first, and the parser returned unwraps them too ("docker+combined",
// "cri+json").
func Detect(firstLines [][]byte) (parse.Parser, error) {
	sample := make([][]byte, 0, min(len(firstLines), maxSample))
	for _, l := range firstLines {
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		sample = append(sample, l)
		if len(sample) == maxSample {
			break
		}
	}
	if len(sample) == 0 {
		return nil, errors.New("detect format: no non-blank lines to look at")
	}
	if kind := containerKind(sample); kind != "" {
		inner := unwrapSample(kind, sample)
		if len(inner) == 0 {
			return nil, fmt.Errorf("detect format: %s log lines carry only partial pieces or blank lines", kind)
		}
		p, err := detectPlain(inner)
		if err != nil {
			return nil, fmt.Errorf("detect format inside %s log lines: %w", kind, err)
		}
		return newUnwrapper(kind, p), nil
	}
	p, err := detectPlain(sample)
	if err != nil {
		return nil, fmt.Errorf("detect format: %w", err)
	}
	return p, nil
}

func detectPlain(sample [][]byte) (parse.Parser, error) {
	var scores []score
	for _, c := range plainCandidates(sample) {
		s := try(c, sample)
		if s.cloudFrontHeader && s.parsed >= s.malformed {
			return cdn.NewCloudFront(), nil
		}
		scores = append(scores, s)
	}
	// The format that parses the most sampled lines wins; the more specific
	// (earlier) one wins ties.
	best := -1
	for i, s := range scores {
		if s.usable() && (best < 0 || s.parsed > scores[best].parsed) {
			best = i
		}
	}
	if best >= 0 {
		// Hand out a parser that has not seen the sample (CloudFront keeps
		// header state; NCSA parsers cache timestamps).
		b := scores[best]
		p, err := b.cand.make()
		if err != nil {
			p = b.parser
		}
		if b.malformed > 0 {
			return &partial{Parser: p, share: shareLabel(b.parsed, b.parsed+b.malformed)}, nil
		}
		return p, nil
	}
	tried := make([]string, len(scores), len(scores)+1)
	for i, s := range scores {
		tried[i] = s.String()
	}
	if ncsaMajority(sample) == "" {
		tried = append(tried, fmt.Sprintf("combined/common/vhost_combined (0 of %d lines look like NCSA)", len(sample)))
	}
	return nil, fmt.Errorf("not a known log: no format parses %.0f%% of the first %d lines; tried %s",
		minShare*100, len(sample), strings.Join(tried, ", "))
}

// shareLabel is "43%" for 3 of 7, rounded, but never "100%" for a share
// under it.
func shareLabel(parsed, of int) string {
	return fmt.Sprintf("%d%%", min((parsed*100+of/2)/of, 99))
}

// partial is a detected parser that did not fit every sampled line: it
// parses as the format does, and its Label says how much of the sample fitted
// so the inputs list can show it. Format stays the bare name, so the parser
// can still be rebuilt by name for parallel workers.
type partial struct {
	parse.Parser
	share string
}

func (p *partial) Label() string { return p.Format() + ", " + p.share + " of sampled lines" }

func try(c candidate, sample [][]byte) score {
	s := score{name: c.name, cand: c}
	p, err := c.make()
	if err != nil {
		s.constructionFailed = err
		return s
	}
	s.parser = p
	strict := accesslog.Strict(p)
	var rec parse.Record
	for _, l := range sample {
		err := strict.Parse(l, &rec)
		switch {
		case err == nil:
			s.parsed++
		case errors.Is(err, parse.ErrIgnored):
			s.ignored++
			// CloudFront's header names its own x-edge-* fields; other W3C
			// logs (IIS) have a #Fields line too.
			if c.name == "cloudfront" && bytes.HasPrefix(l, []byte("#Fields:")) && bytes.Contains(l, []byte(" x-edge-")) {
				s.cloudFrontHeader = true
			}
		default:
			s.malformed++
			if s.firstReason == "" {
				var m *parse.MalformedError
				if errors.As(err, &m) {
					s.firstReason = m.Reason
				} else {
					s.firstReason = err.Error()
				}
			}
		}
	}
	return s
}
