package cdn

// The few-valued fields of a record (method, protocol, cache status, data
// centre) are returned as constants instead of views of the line: a record
// the engine keeps as evidence then pins no read buffer through them, and
// the collector has no heap pointer to follow. An unusual value stays a
// view. The result always equals the input.

func internMethod(s string) string {
	switch s {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "PATCH":
		return "PATCH"
	case "OPTIONS":
		return "OPTIONS"
	}
	return s
}

func internProtocol(s string) string {
	switch s {
	case "HTTP/1.0":
		return "HTTP/1.0"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/2":
		return "HTTP/2"
	case "HTTP/3":
		return "HTTP/3"
	}
	return s
}

func internCacheStatus(s string) string {
	switch s {
	case "hit":
		return "hit"
	case "miss":
		return "miss"
	case "dynamic":
		return "dynamic"
	case "expired":
		return "expired"
	case "stale":
		return "stale"
	case "bypass":
		return "bypass"
	case "revalidated":
		return "revalidated"
	case "updating":
		return "updating"
	case "unknown":
		return "unknown"
	case "none":
		return "none"
	}
	return s
}

// colos holds every three-letter upper-case code (IATA style, as
// EdgeColoCode is written) end to end: 52 KB, made at start (about 20 µs).
var colos = makeColos()

func makeColos() string {
	b := make([]byte, 0, 26*26*26*3)
	for x := byte('A'); x <= 'Z'; x++ {
		for y := byte('A'); y <= 'Z'; y++ {
			for z := byte('A'); z <= 'Z'; z++ {
				b = append(b, x, y, z)
			}
		}
	}
	return string(b)
}

func internColo(s string) string {
	if len(s) != 3 {
		return s
	}
	i := 0
	for j := 0; j < 3; j++ {
		c := s[j]
		if c < 'A' || c > 'Z' {
			return s
		}
		i = i*26 + int(c-'A')
	}
	return colos[3*i : 3*i+3]
}
