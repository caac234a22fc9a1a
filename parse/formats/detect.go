package formats

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/parse/cdn"
	"github.com/edgetriage/edgetriage/parse/jsonlog"
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
	cands := []candidate{
		{"cloudfront", func() (parse.Parser, error) { return cdn.NewCloudFront(), nil }},
		{"cloudflare", func() (parse.Parser, error) { return cdn.NewCloudflare(), nil }},
		{"json", func() (parse.Parser, error) { return jsonlog.New(nil), nil }},
		{"nginx:" + ingressNginx, func() (parse.Parser, error) { return accesslog.NewNginx(ingressNginx) }},
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

func (s score) fits() bool {
	return s.constructionFailed == nil && s.parsed > 0 && s.parsed >= s.malformed
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
// provided it parses at least as many as it rejects, the more specific
// format winning ties (CloudFront's #Version/#Fields header settles it
// outright, even before any data line). Lines wrapped by a container runtime are unwrapped first, and
// the parser returned unwraps them too ("docker+combined", "cri+json").
// The error says what was tried and how each did.
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
	best := -1
	for i, s := range scores {
		if s.fits() && (best < 0 || s.parsed > scores[best].parsed) {
			best = i
		}
	}
	if best >= 0 {
		// Hand out a parser that has not seen the sample (CloudFront keeps
		// header state; NCSA parsers cache timestamps).
		if p, err := scores[best].cand.make(); err == nil {
			return p, nil
		}
		return scores[best].parser, nil
	}
	tried := make([]string, len(scores), len(scores)+1)
	for i, s := range scores {
		tried[i] = s.String()
	}
	if ncsaMajority(sample) == "" {
		tried = append(tried, fmt.Sprintf("combined/common/vhost_combined (0 of %d lines look like NCSA)", len(sample)))
	}
	return nil, fmt.Errorf("no known format fits the first %d lines; tried %s", len(sample), strings.Join(tried, ", "))
}

func try(c candidate, sample [][]byte) score {
	s := score{name: c.name, cand: c}
	p, err := c.make()
	if err != nil {
		s.constructionFailed = err
		return s
	}
	s.parser = p
	var rec parse.Record
	for _, l := range sample {
		err := p.Parse(l, &rec)
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
