package input

// Hooks for the external tests (poison_test.go).

// SetSlabTest sets the slab test hooks and returns a function restoring
// them; call it while no pipeline runs.
func SetSlabTest(poison, reuseOff bool) (restore func()) {
	p, r := poisonSlabs, slabReuseOff
	poisonSlabs, slabReuseOff = poison, reuseOff
	return func() { poisonSlabs, slabReuseOff = p, r }
}

// SlabsReused is how many slabs were read into again so far.
func SlabsReused() int64 { return slabsReused.Load() }

// SetSlabSize sets o's slab size (small ones recycle often).
func SetSlabSize(o *Options, n int) { o.slabSize = n }
