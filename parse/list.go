package parse

import "bytes"

// LastEntry returns the last entry of an nginx upstream list, such as
// "10.0.0.1:80, 10.0.0.2:80" (retries) or "a:80 : b:80" (an internal
// redirect to another upstream group), without surrounding spaces: the entry
// that answered. A value that is not a list comes back trimmed.
func LastEntry(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case ',':
			return bytes.TrimSpace(b[i+1:])
		case ':':
			if i > 0 && i+1 < len(b) && b[i-1] == ' ' && b[i+1] == ' ' {
				return bytes.TrimSpace(b[i+1:])
			}
		}
	}
	return bytes.TrimSpace(b)
}
