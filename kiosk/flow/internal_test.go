package flow

import (
	"reflect"
	"testing"
)

// Changing any one field but Seq makes equal false.
func TestStateEqualCoversEveryField(t *testing.T) {
	base := State{LastTap: &[2]float64{0.1, 0.2}, Visit: []int{0}, Selected: []int{1}, Order: []int{0}, Answer: []string{"a"}, Shuffle: []int{1, 0}, Picked: []int{0}, Slips: []int{0},
		Found: []bool{false}, Path: []string{"a"}, Done: []bool{false}, Buttons: []ButtonHint{{Button: "a"}}}
	rt := reflect.TypeFor[State]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		c := base.clone()
		v := reflect.ValueOf(&c).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int:
			v.SetInt(7)
		case reflect.Uint64:
			v.SetUint(7)
		case reflect.Slice:
			v.Set(reflect.Append(v, v.Index(0)))
		case reflect.Pointer:
			v.Set(reflect.ValueOf(&[2]float64{0.3, 0.4}))
		default:
			t.Fatalf("field %s: kind %s not handled by this test", f.Name, v.Kind())
		}
		if eq := base.equal(c); eq != (f.Name == "Seq") {
			t.Errorf("field %s: equal = %v after changing it", f.Name, eq)
		}
		if !base.equal(base.clone()) {
			t.Fatal("a clone is not equal")
		}
	}
	// The pointer's target, not its address, counts.
	a, b := base.clone(), base.clone()
	if a.LastTap == b.LastTap || !a.equal(b) {
		t.Fatal("clone shares or compares LastTap by address")
	}
	b.LastTap = nil
	if a.equal(b) || b.equal(a) {
		t.Fatal("nil LastTap equal to a tap")
	}
}
