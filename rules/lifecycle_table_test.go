package rules

import (
	"reflect"
	"testing"
)

// The pending table is kept out of the collector's way: its slots and the
// index entries over it must hold no pointer (a pointer added to op would
// make every GC cycle scan every pending operation again).
func TestPendingTableHasNoPointers(t *testing.T) {
	var hasPtr func(reflect.Type) bool
	hasPtr = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return true
		case reflect.Array:
			return hasPtr(ty.Elem())
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				if hasPtr(ty.Field(i).Type) {
					t.Logf("%s.%s holds a pointer", ty.Name(), ty.Field(i).Name)
					return true
				}
			}
		}
		return false
	}
	for _, v := range []any{op{}, opHandle{}, strRef(0)} {
		if ty := reflect.TypeOf(v); hasPtr(ty) {
			t.Errorf("%s holds a pointer", ty)
		}
	}
	if n := reflect.TypeOf(op{}).Size(); n > 120 {
		t.Errorf("op is %d bytes, want at most 120", n)
	}
}

// Slots are reused: a handle taken before an operation left names nothing
// after, even once its slot holds another operation; arena strings survive
// compaction.
func TestOpTableReuseAndCompaction(t *testing.T) {
	var tab opTable
	a := tab.alloc()
	a.openPath = tab.put("/v1/jobs")
	ha := a.handle()
	if tab.live(ha) != a {
		t.Fatal("fresh handle not live")
	}
	tab.release(a)
	b := tab.alloc()
	b.openPath = tab.put("/v1/other")
	if b.id != ha.id {
		t.Fatalf("slot %d not reused (got %d)", ha.id, b.id)
	}
	if tab.live(ha) != nil {
		t.Error("stale handle names the slot's new operation")
	}
	var ops []*op
	for i := 0; i < 3*opChunk; i++ { // past a chunk, and past the first arena
		o := tab.alloc()
		o.openPath = tab.put("/v1/exports/" + string(rune('a'+i%26)) + "/run-of-some-length")
		o.resPath = o.openPath
		ops = append(ops, o)
	}
	for i, o := range ops {
		if want := "/v1/exports/" + string(rune('a'+i%26)) + "/run-of-some-length"; tab.str(o.openPath) != want || tab.str(o.resPath) != want {
			t.Fatalf("op %d: %q after compaction, want %q", i, tab.str(o.openPath), want)
		}
	}
	if got := tab.str(b.openPath); got != "/v1/other" {
		t.Errorf("b's path %q", got)
	}
}
