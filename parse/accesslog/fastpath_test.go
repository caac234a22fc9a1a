package accesslog

import (
	"encoding/binary"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// Each fast path of the NCSA scanner must give exactly what the general
// code it shortcuts gives, on the lines it takes and on the near misses it
// must hand over. These tables hold both; the want columns pin the values.

func TestNCSAPrefixFastPath(t *testing.T) {
	tests := []struct {
		name                  string
		line                  string
		variant, host, client string
		peer                  string
		ok                    bool
	}{
		{"IPv4", `203.0.113.9 - - [01/May/2024:08:00:01 +0000]`, Common, "", "203.0.113.9", "", true},
		{"IPv6", `2001:db8:a6c9::e1c - - [01/May/2024:08:00:01 +0000]`, Common, "", "2001:db8:a6c9::e1c", "", true},
		{"vhost", `shop.example.com 10.0.0.1 - - [`, VhostCombined, "shop.example.com", "10.0.0.1", "", true},
		{"vhost with port", `shop.example.com:443 10.0.0.1 - - [`, VhostCombined, "shop.example.com", "10.0.0.1", "", true},
		{"IPv6 vhost with port", `[2001:db8::1]:8443 2001:db8::2 - - [`, VhostCombined, "2001:db8::1", "2001:db8::2", "", true},
		{"named ident and user", `127.0.0.1 user-identity frank [`, Common, "", "127.0.0.1", "", true},
		{"vhost, named user", `a.example 127.0.0.1 - frank [`, VhostCombined, "a.example", "127.0.0.1", "", true},
		{"forwarded list", `10.0.0.1, 10.0.0.2 - - [`, Common, "", "10.0.0.1", "", true},
		{"forwarded list after vhost", `a.example 10.0.0.1, 10.0.0.2 - - [`, VhostCombined, "a.example", "10.0.0.1", "", true},
		{"quoted list, peer", `a.example:80 "10.5.102.222, 199.96.1.1" 10.2.1.185 - - [`, VhostCombined, "a.example", "10.5.102.222", "10.2.1.185", true},
		{"client only", `10.0.0.1 [`, Common, "", "10.0.0.1", "", true},
		{"bracket after the first word", `a.example [::1] - - [`, Common, "", "a.example", "", true}, // the stamp opens there
		{"bracket after client", `10.0.0.1 [x - - [`, Common, "", "10.0.0.1", "", true},
		{"two spaces", `10.0.0.1  - - [`, Common, "", "10.0.0.1", "", true},
		{"leading space", ` 10.0.0.1 - - [`, "", "", "", "", false},
		{"quote first", `"10.0.0.1" - - [`, Common, "", "10.0.0.1", "", true},
		{"brace first", `{"a":1} - - [`, "", "", "", "", false},
		{"dashes, no bracket", `10.0.0.1 - - x`, "", "", "", "", false},
		{"too short", `10.0.0.1 - - `, "", "", "", "", false},
		{"four words", `a b c d - - [`, "", "", "", "", false},
		{"no prefix", `[01/May/2024:08:00:01 +0000]`, "", "", "", "", false},
		{"empty", ``, "", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			var fast, general parse.Record
			v, open, ok := ncsaPrefix(line, &fast)
			gv, gopen, gok := ncsaPrefixGeneral(line, &general)
			if v != gv || ok != gok || (ok && open != gopen) || fast != general {
				t.Fatalf("fast path gives %q %d %v %+v, general %q %d %v %+v", v, open, ok, fast, gv, gopen, gok, general)
			}
			if ok != tt.ok || v != tt.variant || fast.Host != tt.host || fast.ClientIP != tt.client || fast.PeerIP != tt.peer {
				t.Errorf("got %v %q host %q client %q peer %q, want %v %q %q %q %q",
					ok, v, fast.Host, fast.ClientIP, fast.PeerIP, tt.ok, tt.variant, tt.host, tt.client, tt.peer)
			}
			if ok && string(line[open:open+2]) != " [" {
				t.Errorf("open %d is not at \" [\"", open)
			}
		})
	}
}

// leadingDigits against a byte loop: every count of digits 0-8, followed by
// every byte value (the ones next to '0' and '9', and those a carry of +6
// could confuse), with the bytes after it both digits and 0xff.
func TestLeadingDigits(t *testing.T) {
	digits := "9073184652"
	for n := 0; n <= 8; n++ {
		for stop := 0; stop < 256; stop++ {
			for _, fill := range []byte{'5', 0xff, 0xfa, '/'} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				copy(b[:], digits[:n])
				if n < 8 {
					b[n] = byte(stop)
				}
				wantN, wantV := 0, int64(0)
				for wantN < 8 && b[wantN] >= '0' && b[wantN] <= '9' {
					wantV = wantV*10 + int64(b[wantN]-'0')
					wantN++
				}
				gotN, gotV := leadingDigits(binary.LittleEndian.Uint64(b[:]))
				if gotN != wantN || (wantN < 8 && gotV != wantV) {
					t.Fatalf("%q: leadingDigits gives %d %d, want %d %d", b[:], gotN, gotV, wantN, wantV)
				}
			}
		}
	}
}

// The byte count after the status: read as one word when 8 bytes follow,
// by the loop otherwise; both must give what Atoi gives.
func TestNCSABytesField(t *testing.T) {
	const head = `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 `
	tests := []struct {
		tail  string
		bytes int64
		ok    bool
	}{
		{`0`, 0, true},
		{`1234`, 1234, true},
		{`1234 "-" "-"`, 1234, true},
		{`7654321 "-" "-"`, 7654321, true},
		{`12345678 "-" "-"`, 12345678, true},                 // 8 digits: the loop
		{`123456789012345678 "-"`, 123456789012345678, true}, // Atoi's limit
		{`1234567890123456789 "-"`, 0, false},
		{`- "-" "-"`, 0, true},
		{`-`, 0, true},
		{`0012 "-" "-"`, 12, true},
		{`12x "-" "-"`, 0, false},
		{`12: "-" "-"`, 0, false},
		{`12/ "-" "-"`, 0, false},
		{` 12 "-" "-"`, 0, false},
		{`12`, 12, true},
		{`1234567`, 1234567, true},
		{`12345678`, 12345678, true},
	}
	for _, tt := range tests {
		var rec parse.Record
		_, err := scanNCSA([]byte(head+tt.tail), &rec, &clfCache{})
		if (err == nil) != tt.ok || (err == nil && rec.Bytes != tt.bytes) {
			t.Errorf("%q: bytes %d err %v, want %d ok %v", tt.tail, rec.Bytes, err, tt.bytes, tt.ok)
		}
	}
}

// The referer and agent, read by index after the byte count: escapes,
// absent values and fields cut short.
func TestNCSAQuotedFields(t *testing.T) {
	const head = `2001:db8::7 - - [01/May/2024:08:00:01 +0000] "GET /a HTTP/1.1" 200 12 `
	tests := []struct {
		name, tail, referer, agent, variant string
	}{
		{"both", `"https://example.com/" "curl/8.5.0"`, "https://example.com/", "curl/8.5.0", Combined},
		{"dashes", `"-" "-"`, "", "", Combined},
		{"empty", `"" ""`, "", "", Combined},
		{"one character", `"x" "y"`, "x", "y", Combined},
		{"escaped quote in agent", `"-" "a \"quoted\" agent"`, "", `a \"quoted\" agent`, Combined},
		{"escaped quote in referer", `"https://e.com/?q=\"x\"" "ua"`, `https://e.com/?q=\"x\"`, "ua", Combined},
		{"escaped quote just before the end", `"r\"" "ua\""`, `r\"`, `ua\"`, Combined},
		{"escaped backslash before the end", `"r\\" "ua\\"`, `r\\`, `ua\\`, Combined},
		{"three backslashes", `"r\\\"x" "ua"`, `r\\\"x`, "ua", Combined},
		{"escaped quote as the value", `"\"" "ua"`, `\"`, "ua", Combined},
		{"nginx hex escape", `"-" "Mozilla \x22x\x22"`, "", `Mozilla \x22x\x22`, Combined},
		{"agent not closed", `"-" "curl`, "", "", Common},
		{"referer not closed", `"https://e.com/`, "", "", Common},
		{"referer only", `"https://e.com/"`, "", "", Common},
		{"referer and a space", `"https://e.com/" `, "", "", Common},
		{"no space between", `"r""ua"`, "", "", Common},
		{"trailing extras", `"r" "ua" "10.0.0.1, 10.0.0.2" rt=0.1`, "r", "ua", Combined},
		{"extra before", `1234 "r" "ua"`, "r", "ua", Combined},
		{"unquoted dash referer (Traefik)", `- "ua"`, "", "ua", Combined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			v, err := scanNCSA([]byte(head+tt.tail), &rec, &clfCache{})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Referer != tt.referer || rec.UserAgent != tt.agent || v != tt.variant {
				t.Errorf("referer %q agent %q variant %q, want %q %q %q", rec.Referer, rec.UserAgent, v, tt.referer, tt.agent, tt.variant)
			}
		})
	}
}

// closingQuote against a plain byte loop, on every field of every line in
// the real samples and on escape-heavy fields.
func TestClosingQuote(t *testing.T) {
	ref := func(b []byte, open int) int {
		for i := open + 1; i < len(b); i++ {
			if b[i] != '"' {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				return i
			}
		}
		return -1
	}
	fields := []string{`"-"`, `""`, `"\"`, `"\\"`, `"\\\"`, `"a\"b"`, `"a\\"b"`, `"x`, `"`, `"-`, `"\"\"\""`, `"\\\\"x"`}
	lines := [][]byte{}
	for _, f := range fields {
		lines = append(lines, []byte(f), []byte(`\`+f), []byte(f+` "`+f))
	}
	for _, name := range []string{"nginx_combined_elastic_test-access.log", "apache_combined_lnav_logfile_access_log.0.log",
		"nginx_ingress_controller_elastic_test-ingest-raw.log", "ncsa_lnav_logfile_bad_access_log.0.log"} {
		lines = append(lines, readLines(t, name)...)
	}
	for _, b := range lines {
		for open := range b {
			if b[open] != '"' {
				continue
			}
			if got, want := closingQuote(b, open), ref(b, open); got != want {
				t.Fatalf("%s, quote at %d: closingQuote %d, want %d", b, open, got, want)
			}
		}
	}
}
