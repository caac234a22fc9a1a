package rules

// Hosts in suggested commands: only a valid host name the records carried,
// never an origin named after an input file.

// validHost accepts a DNS name (letters, digits, '-', '.'; no leading '-'
// or '.'): only such a host goes into a suggested command.
func validHost(h string) bool {
	if len(h) == 0 || len(h) > 253 || h[0] == '-' || h[0] == '.' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// HostPlaceholder stands for the host in suggested commands when the log
// names none (no shell metacharacters); the command says to pass --origin.
const HostPlaceholder = "YOUR_HOST"

// hostContext adds the host fields commands use: host ("" or a valid
// host), host_known, host_placeholder.
func hostContext(o *origin, ctx map[string]any) {
	ctx["host"] = o.host
	ctx["host_known"] = o.host != ""
	ctx["host_placeholder"] = HostPlaceholder
}
