package rules

import "testing"

func TestMuteMatches(t *testing.T) {
	storm := &Finding{Kind: KindBurst5xx, Status: 502, Origin: "A.example.com"}
	b520 := &Finding{Kind: KindBurst520, Origin: "a.example.com"}
	op := &Finding{Kind: KindIncomplete202, Origin: "a.example.com", Endpoint: "POST /v1/exports"}
	cases := []struct {
		m    Mute
		f    *Finding
		want bool
	}{
		{Mute{}, storm, false},
		{Mute{Origin: "a.example.com"}, storm, true},
		{Mute{Origin: "b.example.com"}, storm, false},
		{Mute{Status: 502}, storm, true},
		{Mute{Status: 504}, storm, false},
		{Mute{Status: 520}, b520, true},
		{Mute{Kind: KindBurst520}, storm, false},
		{Mute{Route: "/v1/exports"}, op, true},
		{Mute{Route: "POST /v1/exports"}, op, true},
		{Mute{Route: "/v1/other"}, op, false},
		{MuteFor(storm), storm, true},
		{MuteFor(storm), &Finding{Kind: KindBurst5xx, Status: 504, Origin: "a.example.com"}, false},
		{MuteFor(op), op, true},
	}
	for i, c := range cases {
		if got := c.m.Matches(c.f); got != c.want {
			t.Errorf("%d: %v matches %v = %v, want %v", i, c.m, c.f.Title(), got, c.want)
		}
	}
}
