package accesslog

import (
	"bytes"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// Storing a compiled format's captured values into the Record.

// store puts one captured value into rec. One switch over every kind (the
// per-capture cost of a line): the short cases inline, the longer ones in
// helpers named for their kind.
func (p *patternParser) store(cp *capture, v []byte, rec *parse.Record, st *lineState) error {
	switch cp.kind {
	case kSkip:
	case kClientIP:
		if !isDash(v) && st.claim(slotClientIP, cp.rank) {
			rec.ClientIP = parse.View(v)
		}
	case kHost:
		if !isDash(v) && st.claim(slotHost, cp.rank) {
			rec.Host = parse.View(stripPort(v))
		}
	case kUpstream:
		if u := parse.LastEntry(v); !isDash(v) && !isDash(u) {
			rec.Upstream = parse.View(u)
		}
	case kRequest:
		storeRequestLine(cp, v, rec, st)
	case kMethod:
		if !isDash(v) && st.claim(slotMethod, cp.rank) {
			rec.Method = parse.View(v)
		}
	case kURI, kPath, kQuery:
		storeTarget(cp, v, rec, st)
	case kProtocol:
		if !isDash(v) && st.claim(slotProtocol, cp.rank) {
			rec.Protocol = parse.View(v)
		}
	case kStatus:
		n, ok := validStatus(v)
		if !ok {
			return errStatus
		}
		if st.claim(slotStatus, cp.rank) {
			rec.Status = n
		}
	case kOriginStatus:
		n, ok := parse.Status(parse.LastEntry(v))
		if !ok {
			return errOriginStat
		}
		rec.OriginStatus = n
	case kBytes:
		return storeBytes(cp, v, rec, st)
	case kSeconds, kWholeSeconds, kMillis, kMicros:
		return storeDuration(cp, v, rec, st)
	case kUpstreamTime:
		return storeUpstreamTime(v, st)
	case kHeaderTime, kConnectTime:
		return storeOriginTime(cp, v, rec)
	case kReferer:
		if !isDash(v) {
			rec.Referer = parse.View(v)
		}
	case kUserAgent:
		if !isDash(v) {
			rec.UserAgent = parse.View(v)
		}
	case kRequestID, kCFRay, kStatusLocation, kCacheStatus, kRetryAfter:
		storeHeader(cp, v, rec, st)
	default:
		return p.storeTime(cp, v, st)
	}
	return nil
}

// storeRequestLine splits a request line into the parts that no better
// capture holds.
func storeRequestLine(cp *capture, v []byte, rec *parse.Record, st *lineState) {
	r := splitRequest(v)
	if st.claim(slotMethod, cp.rank) {
		rec.Method = parse.View(r.method)
	}
	if st.claim(slotPath, cp.rank) {
		rec.Path = parse.View(r.path)
	}
	if st.claim(slotQuery, cp.rank) {
		rec.Query = parse.View(r.query)
	}
	if st.claim(slotProtocol, cp.rank) {
		rec.Protocol = parse.View(r.protocol)
	}
}

// storeTarget stores a path with its query, a path, or a query.
func storeTarget(cp *capture, v []byte, rec *parse.Record, st *lineState) {
	switch cp.kind {
	case kURI:
		if !isDash(v) {
			path, query := splitTarget(v)
			if st.claim(slotPath, cp.rank) {
				rec.Path = parse.View(path)
			}
			if st.claim(slotQuery, cp.rank) {
				rec.Query = parse.View(query)
			}
		}
	case kPath:
		if !isDash(v) && st.claim(slotPath, cp.rank) {
			rec.Path = parse.View(v)
		}
	case kQuery:
		if len(v) > 0 && v[0] == '?' {
			v = v[1:]
		}
		if !isDash(v) && st.claim(slotQuery, cp.rank) {
			rec.Query = parse.View(v)
		}
	}
}

// storeBytes stores a byte count ("-" is 0).
func storeBytes(cp *capture, v []byte, rec *parse.Record, st *lineState) error {
	var n int64
	if !isDash(v) {
		var ok bool
		if n, ok = parse.Atoi(v); !ok {
			return errBytes
		}
	}
	if st.claim(slotBytes, cp.rank) {
		rec.Bytes = n
	}
	return nil
}

// storeDuration stores the request time in its unit; "-" leaves it Unknown.
func storeDuration(cp *capture, v []byte, rec *parse.Record, st *lineState) error {
	if isDash(v) {
		return nil
	}
	d, ok := duration(cp.kind, v)
	if !ok {
		return errDuration
	}
	if st.claim(slotDuration, cp.rank) {
		rec.Duration = d
	}
	return nil
}

// storeUpstreamTime sums $upstream_response_time: with retries the request
// took the sum of the attempts. It is the Duration only when the format has
// no request time.
func storeUpstreamTime(v []byte, st *lineState) error {
	var sum time.Duration
	known := false
	for len(v) > 0 {
		e := v
		if c := bytes.IndexAny(v, ",:"); c >= 0 {
			e, v = v[:c], v[c+1:]
		} else {
			v = nil
		}
		e = bytes.TrimSpace(e)
		d, ok := parse.Seconds(e)
		if !ok {
			return errDuration
		}
		if d >= 0 {
			sum += d
			known = true
		}
	}
	if known {
		st.upstreamNS, st.hasUpTime = sum, true
	}
	return nil
}

// storeOriginTime stores $upstream_header_time or $upstream_connect_time
// (the last entry: the attempt that answered).
func storeOriginTime(cp *capture, v []byte, rec *parse.Record) error {
	d, ok := parse.Seconds(parse.LastEntry(v))
	if !ok {
		return errDuration
	}
	if cp.kind == kHeaderTime {
		rec.OriginHeaderTime = d
	} else {
		rec.OriginConnectTime = d
	}
	return nil
}

// storeHeader stores the response and id headers: request ids, CF-Ray,
// Location, cache status, Retry-After.
func storeHeader(cp *capture, v []byte, rec *parse.Record, st *lineState) {
	if isDash(v) {
		return
	}
	switch cp.kind {
	case kRequestID:
		if st.claim(slotRequestID, cp.rank) {
			rec.RequestID = parse.View(v)
		}
	case kCFRay:
		if st.claim(slotRequestID, cp.rank) {
			ray, colo := splitRay(v)
			rec.RequestID = parse.View(ray)
			rec.POP = parse.View(colo)
		}
	case kStatusLocation:
		if st.claim(slotStatusLocation, cp.rank) {
			rec.StatusLocation = parse.View(v)
		}
	case kCacheStatus:
		rec.CacheStatus = cacheStatus(v)
	case kRetryAfter:
		// The seconds form only; an HTTP-date is no error, just unknown.
		if d, ok := parse.RetryAfter(parse.LastEntry(v)); ok && st.claim(slotRetryAfter, cp.rank) {
			rec.RetryAfter = d
		}
	}
}

func duration(k kind, v []byte) (time.Duration, bool) {
	if k == kSeconds {
		return parse.Seconds(v)
	}
	n, ok := parse.Atoi(v)
	if !ok {
		return 0, false
	}
	switch k {
	case kWholeSeconds:
		return time.Duration(n) * time.Second, true
	case kMillis:
		return time.Duration(n) * time.Millisecond, true
	}
	return time.Duration(n) * time.Microsecond, true
}

func (p *patternParser) storeTime(cp *capture, v []byte, st *lineState) error {
	t := &st.tm
	switch cp.kind {
	case kTimeCLFBracketed:
		if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
			return errTime
		}
		v = v[1 : len(v)-1]
		fallthrough
	case kTimeCLF:
		ns, ok := p.clf.parse(v)
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeISO:
		ns, ok := parse.RFC3339(v)
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeEpoch, kTimeEpochMillis, kTimeEpochMicros:
		var ns int64
		var ok bool
		if cp.kind == kTimeEpoch {
			ns, ok = parse.Epoch(v)
		} else if n, good := parse.Atoi(v); good {
			if cp.kind == kTimeEpochMillis {
				ns, ok = parse.EpochIn(n, time.Millisecond)
			} else {
				ns, ok = parse.EpochIn(n, time.Microsecond)
			}
		}
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeFracMillis, kTimeFracMicros:
		n, ok := parse.Atoi(v)
		if !ok || (cp.kind == kTimeFracMillis && n > 999) || n > 999999 {
			return errTime
		}
		if cp.kind == kTimeFracMillis {
			t.frac = n * int64(time.Millisecond)
		} else {
			t.frac = n * int64(time.Microsecond)
		}
	case kTimeStrftime:
		if !cp.strf.parse(v, t) {
			return errTime
		}
	}
	return nil
}
