package input

// Hooks for the external tests (poison_test.go).

// SetSlabTest sets the slab test hooks (poison recycled slabs; reuse
// nothing, for the reference run) and returns a function restoring them;
// call it while no pipeline runs.
func SetSlabTest(poison, off bool) (restore func()) {
	p, r := poisonSlabs, reuseOff
	poisonSlabs, reuseOff = poison, off
	return func() { poisonSlabs, reuseOff = p, r }
}

// SlabsReused is how many slabs were read into again so far.
func SlabsReused() int64 { return slabsReused.Load() }

// SetSlabSize sets o's slab size (small ones recycle often).
func SetSlabSize(o *Options, n int) { o.slabSize = n }
