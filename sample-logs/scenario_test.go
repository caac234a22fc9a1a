package samplelogs

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"testing"
)

// knownCauses are the cause ids of DIAGNOSIS.md that scenarios plant.
var knownCauses = []string{"colo-blocked", "servers-failing", "route-failing", "zone-change", "crash-overload",
	"keepalive-race", "app-died", "malformed-reply", "origin-not-reached", "relayed-520", "many-origins", "origin-wide"}

func TestScenariosCoverEveryCause(t *testing.T) {
	planted := map[string]bool{}
	names := map[string]bool{}
	for _, s := range Scenarios() {
		if names[s.Name] {
			t.Errorf("scenario %s twice", s.Name)
		}
		names[s.Name] = true
		planted[s.Cause] = true
	}
	for _, c := range knownCauses {
		if !planted[c] {
			t.Errorf("no scenario plants %s", c)
		}
	}
}

func TestScenariosAreDeterministicAndVary(t *testing.T) {
	for _, s := range Scenarios() {
		if s.Heavy || s.Name == "storm-steady-502-30m" {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			a, b, other := s.Generate(5), s.Generate(5), s.Generate(6)
			if len(a.Files) == 0 {
				t.Fatal("no files")
			}
			for i, f := range a.Files {
				if !bytes.Equal(f.Bytes(), b.Files[i].Bytes()) {
					t.Errorf("%s differs between two generations", f.Name)
				}
			}
			if bytes.Equal(a.Files[0].Bytes(), other.Files[0].Bytes()) {
				t.Error("seeds 5 and 6 give the same bytes")
			}
			for _, e := range a.Truth.Expected {
				if !slices.Contains(knownCauses, e.Cause) {
					t.Errorf("unknown cause %q", e.Cause)
				}
				if e.Failures < 10 || e.Requests < e.Failures || !e.End.After(e.Start) {
					t.Errorf("%s %s: %d failures of %d requests, %v..%v", e.Origin, e.Cause, e.Failures, e.Requests, e.Start, e.End)
				}
				if (e.Dimension == "") != (len(e.Values) == 0) {
					t.Errorf("%s: dimension %q with values %v", e.Cause, e.Dimension, e.Values)
				}
			}
			if a.Truth.Expected != nil && other.Truth.Expected != nil && a.Truth.Expected[0].Start.Equal(other.Truth.Expected[0].Start) {
				t.Error("the planted span does not move with the seed")
			}
		})
	}
}

// Every Logpush line of a scenario is one JSON object with the fields the
// analyser reads, typed as Logpush types them.
func TestScenarioLogpushLines(t *testing.T) {
	s, _ := ScenarioByName("two-origins")
	for _, f := range s.Generate(3).Files {
		if f.Format != "cloudflare" {
			continue
		}
		for i, line := range bytes.Split(bytes.TrimSuffix(f.Bytes(), []byte("\n")), []byte("\n")) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("%s:%d: %v", f.Name, i+1, err)
			}
			for _, k := range []string{"EdgeResponseStatus", "OriginResponseStatus", "OriginTCPHandshakeDurationMs", "OriginResponseHeaderReceiveDurationMs"} {
				if _, ok := m[k].(float64); !ok {
					t.Fatalf("%s:%d: %s is %T", f.Name, i+1, k, m[k])
				}
			}
			for _, k := range []string{"EdgeColoCode", "OriginIP", "RayID", "ClientRequestHost", "ClientRequestPath", "CacheCacheStatus"} {
				if _, ok := m[k].(string); !ok {
					t.Fatalf("%s:%d: %s is %T", f.Name, i+1, k, m[k])
				}
			}
		}
	}
}

func TestSteadyStreamIsStable(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 108,000 lines twice")
	}
	s, _ := ScenarioByName("storm-steady-502-30m")
	set := s.Generate(2)
	sum := func() [32]byte {
		h := sha256.New()
		if _, err := set.Files[0].WriteTo(h); err != nil {
			t.Fatal(err)
		}
		return [32]byte(h.Sum(nil))
	}
	if sum() != sum() {
		t.Error("two writes of the steady stream differ")
	}
	if len(set.Truth.Quiet) != 2 || len(set.Truth.Expected) != 0 {
		t.Errorf("truth %+v", set.Truth)
	}
}
