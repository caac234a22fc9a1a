package accesslog

import (
	"reflect"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestResetRecord sets each field of a Record (every field of DimKeys too)
// in turn, on a record Reset left and on a zero one as a recycled batch
// holds, and checks that resetRecord leaves exactly what Reset does.
func TestResetRecord(t *testing.T) {
	var want parse.Record
	want.Reset()
	typ := reflect.TypeOf(want)
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		for _, start := range []string{"reset", "zero"} {
			var r parse.Record
			if start == "reset" {
				r.Reset()
			}
			setNonZero(t, reflect.ValueOf(&r).Elem().Field(i))
			resetRecord(&r)
			if !reflect.DeepEqual(r, want) {
				t.Errorf("%s record with %s set: resetRecord left %+v, Reset gives %+v", start, f.Name, r, want)
			}
		}
	}
}

// setNonZero gives v a value no reset leaves (every field of a struct).
func setNonZero(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			setNonZero(t, v.Field(i))
		}
	default:
		t.Fatalf("field kind %s: teach setNonZero and resetRecord about it", v.Kind())
	}
}
