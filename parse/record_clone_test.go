package parse

import (
	"testing"
	"unsafe"
)

// unsafeView is a string over b's bytes, as parsers hand out views of a line.
func unsafeView(b []byte) string { return unsafe.String(&b[0], len(b)) }

// Clone copies every string out of the line's buffer, in one allocation.
func TestCloneDetachesFromTheLine(t *testing.T) {
	line := []byte("example.com 192.0.2.7 203.0.113.9 GET /a/b q=1 HTTP/2 curl/8 https://r/ ray1 /op/1 FRA MISS raw in peer fail")
	var r Record
	r.Reset()
	s := func(i, j int) string { return unsafeView(line[i:j]) }
	r.Host, r.Upstream, r.ClientIP, r.Method = s(0, 11), s(12, 21), s(22, 33), s(34, 37)
	r.Path, r.Query, r.Protocol, r.UserAgent = s(38, 42), s(43, 46), s(47, 53), s(54, 60)
	r.Referer, r.RequestID, r.StatusLocation, r.POP = s(61, 71), s(72, 76), s(77, 82), s(83, 86)
	r.CacheStatus, r.Raw, r.Input, r.PeerIP, r.Failure = s(87, 91), s(92, 95), s(96, 98), s(99, 103), ""
	r.Status, r.Time = 200, 42
	want := r
	wantText := [...]string{want.Host, want.Upstream, want.ClientIP, want.Method, want.Path, want.Query,
		want.Protocol, want.UserAgent, want.Referer, want.RequestID, want.StatusLocation, want.POP,
		want.CacheStatus, want.Raw, want.Input, want.PeerIP, want.Failure}
	for i := range wantText {
		wantText[i] = string([]byte(wantText[i])) // detached copies to compare with
	}
	var c Record
	allocs := testing.AllocsPerRun(10, func() { c = r.Clone() })
	if allocs > 1 {
		t.Errorf("Clone: %v allocations, want 1", allocs)
	}
	for i := range line {
		line[i] = 'x' // the line buffer is reused for the next line
	}
	got := [...]string{c.Host, c.Upstream, c.ClientIP, c.Method, c.Path, c.Query,
		c.Protocol, c.UserAgent, c.Referer, c.RequestID, c.StatusLocation, c.POP,
		c.CacheStatus, c.Raw, c.Input, c.PeerIP, c.Failure}
	if got != wantText {
		t.Fatalf("clone changed with the line:\n got %q\nwant %q", got, wantText)
	}
	if c.Status != 200 || c.Time != 42 || c.Bytes != Unknown {
		t.Fatalf("non-string fields: %+v", c)
	}
	var empty Record
	if allocs := testing.AllocsPerRun(10, func() { c = empty.Clone() }); allocs != 0 || c != empty {
		t.Fatalf("empty record: %v allocations, %+v", allocs, c)
	}
}
