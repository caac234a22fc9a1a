package parse

import "testing"

func TestLastEntry(t *testing.T) {
	tests := map[string]string{
		"10.0.0.1:80":                                 "10.0.0.1:80",
		"10.0.0.1:80, 10.0.0.2:80":                    "10.0.0.2:80",
		"10.0.0.1:80, 10.0.0.2:80 : 10.0.1.1:80":      "10.0.1.1:80",
		"[2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000": "[2a02:cf40::4e36]:5000",
		"502, 504 : 202":                              "202",
		"404 : 200 ":                                  "200",
		"unix:/run/app.sock":                          "unix:/run/app.sock",
		" 0.5 ":                                       "0.5",
		"-, 120":                                      "120",
		"-":                                           "-",
		"":                                            "",
		",":                                           "",
	}
	for in, want := range tests {
		if got := string(LastEntry([]byte(in))); got != want {
			t.Errorf("LastEntry(%q) = %q, want %q", in, got, want)
		}
	}
}
