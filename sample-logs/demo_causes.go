package samplelogs

import (
	"fmt"
	"time"
)

// plantedCause is the cause the demo's story plants in one burst or storm.
type plantedCause struct {
	cause, dimension string
	values           []string
	stepAt           time.Duration // offset from the base; 0 = not a step
}

// demoCauses are the demo's planted causes by "kind origin status". Each
// follows the story in the README, not the numbers: the failing data is
// built so that only the planted signature separates.
var demoCauses = map[string]plantedCause{
	// shop-2 crashes in a loop; shop-1 takes the rest of the traffic.
	"burst_520 " + hostShop + " 520": {cause: "servers-failing", dimension: "upstream", values: []string{ipShop2}},
	// Traefik's second backend refuses connections for 50 s.
	"burst_5xx orders.example.net 502": {cause: "servers-failing", dimension: "upstream", values: []string{"10.0.1.13:8080"}},
	// www's mod_proxy backend behind /api/status goes away.
	"burst_5xx www.example.org 502": {cause: "route-failing", dimension: "route", values: []string{"/api/status"}},
	// A firewall change with a deploy drops Cloudflare: every miss times out from 09:31.
	"burst_5xx " + hostStatic + " 522": {cause: "zone-change", stepAt: stormFrom},
	// The search backend times out; other routes answer.
	"burst_5xx formats/nginx-combined.log 504": {cause: "route-failing", dimension: "route", values: []string{"/api/v2/search"}},
	// A new, very large image's origin fetch times out; other misses are fine.
	"burst_5xx assets.example.org 504": {cause: "route-failing", dimension: "route", values: []string{"/img/new-collection.jpg"}},
}

// plantCauses fills each burst's planted cause; a burst the story does not
// name is a generator bug.
func (t *Truth) plantCauses(base time.Time) error {
	for i := range t.Bursts {
		b := &t.Bursts[i]
		c, ok := demoCauses[fmt.Sprintf("%s %s %d", b.Kind, b.Origin, b.Status)]
		if !ok {
			return fmt.Errorf("generate: burst %s %s %d has no planted cause", b.Kind, b.Origin, b.Status)
		}
		b.Cause, b.Dimension, b.Values = c.cause, c.dimension, c.values
		if c.stepAt > 0 {
			b.StepAt = base.Add(c.stepAt)
		}
	}
	return nil
}
