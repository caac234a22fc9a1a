package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// jobsLike is async traffic: every other record opens a job (POST 202
// with a Location) from one of 300 clients, polled once and completed 20 s
// later, or (one in eight) never polled; what the 202 contrast counts per
// judged operation.
func jobsLike(n int) []parse.Record {
	recs := make([]parse.Record, 0, n)
	agents := []string{"python-requests/2.32.3", "Go-http-client/2.0", "okhttp/4.12.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
	eps := []string{"/v1/exports", "/v1/imports", "/v1/reports"}
	for i := 0; len(recs) < n; i++ {
		var r parse.Record
		r.Reset()
		r.Source = parse.SourceOrigin
		r.Input = "api/access.log"
		r.ClientIP = fmt.Sprintf("198.51.%d.%d", i%3, i%100)
		r.UserAgent = agents[i%len(agents)]
		r.Protocol = "HTTP/1.1"
		r.Line = int64(i + 1)
		r.Time = t0.Add(time.Duration(i) * 10 * time.Millisecond).UnixNano()
		job := i / 2
		ep := eps[job%len(eps)]
		if i%2 == 0 {
			r.Method, r.Path, r.Status = "POST", ep, 202
			r.StatusLocation = fmt.Sprintf("%s/%08d", ep, job)
		} else if job%8 != 0 && job >= 1000 {
			r.Method, r.Path, r.Status = "GET", fmt.Sprintf("%s/%08d", eps[(job-1000)%len(eps)], job-1000), 303
		} else {
			r.Method, r.Path, r.Status = "GET", "/health", 200
		}
		recs = append(recs, r)
	}
	return recs
}

// BenchmarkEngineAddJobs feeds async-job traffic; compare with the base
// commit for the 202 contrast's cost per record.
func BenchmarkEngineAddJobs(b *testing.B) {
	recs := jobsLike(1 << 16)
	span := recs[len(recs)-1].Time - recs[0].Time + int64(10*time.Millisecond)
	benchAdd(b, recs, func() {
		for i := range recs {
			recs[i].Time += span
			if recs[i].Status == 202 || recs[i].Status == 303 {
				recs[i].Path += "x" // new jobs each round
				if recs[i].StatusLocation != "" {
					recs[i].StatusLocation += "x"
				}
			}
		}
	})
}
