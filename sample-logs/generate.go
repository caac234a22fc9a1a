package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults of the committed demo.
const (
	DefaultSeed = 20261120
	demoSpan    = 50 * time.Minute
	demoEvents  = 36 // fire-and-forget beacons on api.example.com
)

// DefaultBase is the demo's fixed start: 2026-11-20 09:00:00 UTC.
var DefaultBase = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// Options select a generation. The zero value means the committed demo.
type Options struct {
	Seed uint64    // 0 = DefaultSeed
	Base time.Time // zero = DefaultBase
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Base.IsZero() {
		o.Base = DefaultBase
	}
	o.Base = o.Base.UTC()
	return o
}

// GeneratedFile is one file of a Set with its bytes.
type GeneratedFile struct {
	File
	Data []byte
}

// Set is a generated demo: its files in manifest order, the truth about
// them, and every async operation in them.
type Set struct {
	Files []GeneratedFile
	Truth Truth
	Ops   []*Op
}

// Data returns the bytes of the named file, or nil.
func (s *Set) Data(name string) []byte {
	for _, f := range s.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// WriteDir writes every file of the set under dir, creating folders.
func (s *Set) WriteDir(dir string) error {
	for _, f := range s.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write samples: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("write samples: %w", err)
		}
	}
	return nil
}

// obs is what the truth needs of one parsed record, whatever its format.
type obs struct {
	file         string
	origin       string
	edge         bool
	t            time.Time
	status       int
	originStatus int
	upstream     string
	cacheHit     bool
	rayID        string
	fate         Fate
}

// fileOut is one generated file before it joins a Set.
type fileOut struct {
	data []byte
	obs  []obs
	ops  []*Op
}

// Generate builds the demo: the Cloudflare zone, its origin logs and the
// small per-format files, with their truth. Same options, same bytes.
func Generate(opts Options) (*Set, error) {
	opts = opts.withDefaults()
	z := buildZone(opts.Seed, opts.Base)

	outs := map[string]*fileOut{}
	for i := 1; i <= edgeFiles; i++ {
		outs[edgeName(i)] = &fileOut{}
	}
	z.writeEdge(outs)
	z.writeOrigins(outs)
	for _, ff := range formatFiles {
		out, err := ff.build(opts.Seed, opts.Base)
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", ff.file.Name, err)
		}
		outs[ff.file.Name] = out
	}

	set := &Set{}
	var all []obs
	for _, f := range manifest {
		out, ok := outs[f.Name]
		if !ok {
			return nil, fmt.Errorf("generate: no content for manifest file %s", f.Name)
		}
		set.Files = append(set.Files, GeneratedFile{File: f, Data: out.data})
		all = append(all, out.obs...)
		set.Ops = append(set.Ops, out.ops...)
	}
	set.Ops = append(z.ops, set.Ops...)
	set.Truth = computeTruth(opts, all, set.Ops)
	if err := set.Truth.plantCauses(opts.Base); err != nil {
		return nil, err
	}
	return set, nil
}

// buildZone generates the Cloudflare zone's traffic, one piece at a time.
func buildZone(seed uint64, base time.Time) *zone {
	z := newZone(seed, base, demoSpan)
	r := rng(seed, "clients")
	shopClients := newClients(r, 160, append(slices.Clone(browserUAs), botUAs...))
	apiClients := newClients(r, 30, apiUAs)
	staticClients := newClients(r, 120, browserUAs)

	z.shopTraffic(shopClients)
	z.shopCrash(shopClients)
	z.baseline("api", hostAPI, 7, z.base, z.end, apiRoutes, apiClients,
		func(*rand.Rand, time.Time) string { return ipAPI })
	z.apiScattered520s(apiClients)
	z.apiAsync(demoEvents)
	z.staticTraffic(staticClients)
	z.staticStorm(staticClients)
	z.staticThin520s(staticClients)
	return z
}

// writeEdge cuts the zone's requests into 10-minute Logpush files by the
// time Cloudflare finished them, in that order (so long requests appear
// after shorter later ones, as in real Logpush output).
func (z *zone) writeEdge(outs map[string]*fileOut) {
	reqs := slices.Clone(z.reqs)
	slices.SortStableFunc(reqs, func(a, b *Request) int {
		if c := a.End().Compare(b.End()); c != 0 {
			return c
		}
		return strings.Compare(a.RayID, b.RayID)
	})
	for _, req := range reqs {
		i := z.edgeFile(req)
		name := edgeName(i)
		style := TimeRFC3339ms
		if i > edgeRFC3339Files {
			style = TimeUnixNano
		}
		out := outs[name]
		out.data = append(AppendCloudflare(out.data, req, style), '\n')
		out.obs = append(out.obs, obs{file: name, origin: req.Host, edge: true, t: req.Time,
			status: req.Status, originStatus: req.OriginStatus, upstream: req.OriginIP,
			cacheHit: req.Cache == "hit", rayID: req.RayID, fate: req.Fate})
	}
	for _, op := range z.ops {
		seen := map[string]bool{}
		for _, req := range append([]*Request{op.Open}, op.Polls...) {
			name := edgeName(z.edgeFile(req))
			if !seen[name] {
				seen[name] = true
				op.Files = append(op.Files, name)
			}
		}
	}
}

// edgeFile is the 1-based Logpush file a request lands in: by the time
// Cloudflare finished it, ten minutes a file.
func (z *zone) edgeFile(req *Request) int {
	i := int(req.End().Sub(z.base)/(demoSpan/edgeFiles)) + 1
	return max(1, min(i, edgeFiles))
}

// writeOrigins writes each origin server's nginx log: the requests that
// reached its logger, in the order it wrote them.
func (z *zone) writeOrigins(outs map[string]*fileOut) {
	for _, srv := range originServers {
		if srv.file == "" {
			continue
		}
		var reqs []*Request
		for _, req := range z.reqs {
			if req.Server == srv.name && (req.Fate == FateLogged || req.Fate == FateEmpty200) {
				reqs = append(reqs, req)
			}
		}
		slices.SortStableFunc(reqs, func(a, b *Request) int {
			if c := a.OriginLogTime().Truncate(time.Second).Compare(b.OriginLogTime().Truncate(time.Second)); c != 0 {
				return c
			}
			return a.OriginLogTime().Compare(b.OriginLogTime())
		})
		out := &fileOut{}
		for _, req := range reqs {
			out.data = append(AppendOriginNginx(out.data, req, srv.loc), '\n')
			status := req.OriginStatus
			if req.Fate == FateEmpty200 {
				status = 200
			}
			out.obs = append(out.obs, obs{file: srv.file, origin: req.Host, t: req.OriginLogTime().Truncate(time.Second),
				status: status, originStatus: -1, upstream: req.Upstream, rayID: req.RayID, fate: req.Fate})
		}
		outs[srv.file] = out
	}
}

// demo caches the committed demo's generation (about 30 ms).
var demo = sync.OnceValues(func() (*Set, error) { return Generate(Options{}) })

// Demo returns the generation of the committed demo files, with their
// Truth. It is computed once; callers must not modify it.
func Demo() (*Set, error) { return demo() }
