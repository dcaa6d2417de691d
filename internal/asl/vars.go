package asl

import (
	"fmt"
	"maps"
	"slices"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Workflow variables: Assign on a state (or a Choice rule, or a catcher)
// sets them when the state exits, and later states read them as $name, in
// JSONPath paths and in JSONata expressions alike. The states at the top of
// a machine share one scope; each Parallel branch and Map iteration runs in
// a scope of its own that reads the outer ones but cannot assign their
// names (the parser rejects such a definition). Every expression of a state
// sees the variables as they were when the state was entered: what it
// assigns is visible from the next state on.

// Limits Step Functions sets on variables.
const (
	// MaxAssignBytes is the most the values of one Assign may take,
	// encoded as JSON.
	MaxAssignBytes = 256 * 1024
	// MaxVariablesBytes is the most an execution's variables may take in
	// all.
	MaxVariablesBytes = 10 * 1024 * 1024
)

// scope holds the variables of one frame, and reaches the outer scopes.
// A state machine has a handful of variables: a slice scanned in order
// beats a map, and costs no hashing.
type scope struct {
	slots  []slot
	parent *scope
	getFn  func(string) (any, bool) // get as a func value, made once
}

// slot is one variable: its value and its encoded size, or an upper bound
// of it.
type slot struct {
	name string
	val  any
	size int
}

// newScope makes a scope with room for n variables.
func newScope(parent *scope, n int) *scope {
	sc := &scope{parent: parent, slots: make([]slot, 0, n)}
	sc.getFn = sc.get
	return sc
}

// get finds a variable in this scope or an outer one.
func (sc *scope) get(name string) (any, bool) {
	for s := sc; s != nil; s = s.parent {
		for i := range s.slots {
			if s.slots[i].name == name {
				return s.slots[i].val, true
			}
		}
	}
	return nil, false
}

// set sets a variable of this scope and returns the size it replaces.
func (sc *scope) set(name string, v any, size int) int {
	for i := range sc.slots {
		if sl := &sc.slots[i]; sl.name == name {
			old := sl.size
			sl.val, sl.size = v, size
			return old
		}
	}
	sc.slots = append(sc.slots, slot{name: name, val: v, size: size})
	return 0
}

// lookupFn returns get as a func, or nil for no scope, for intrinsic.Env.
func (sc *scope) lookupFn() func(string) (any, bool) {
	if sc == nil {
		return nil
	}
	return sc.getFn
}

// assign is a compiled Assign field: a JSONPath payload template, or for a
// JSONata state an object of names and JSONata values.
type assign struct {
	jsonpath *template
	jsonata  *jfield
	names    []string // the variable names, sorted
}

// assignment is what an Assign evaluated to: the names and values to set,
// an upper bound of each value's encoded size, and, when the execution
// keeps or shows events, each value's JSON for the StateExited event.
type assignment struct {
	names   []string
	vals    []any
	sizes   []int
	encoded map[string]string
}

// evalAssign evaluates an Assign for frame f. For JSONPath, in is what "$"
// stands for (the state's result, or its input for a state without one);
// a JSONata Assign reads the $states the caller has set.
func (x *Execution) evalAssign(f *frame, a *assign, in any) (*assignment, *failure) {
	// The frame's last assignment has been applied: reuse its memory.
	out := f.asg
	if out == nil {
		out = new(assignment)
		f.asg = out
	}
	out.names, out.vals, out.encoded = a.names, out.vals[:0], nil
	if a.jsonata != nil {
		bad := x.evalMembers(f, a.jsonata, &out.vals)
		if bad != nil {
			return nil, x.queryFailed(f, bad)
		}
	} else {
		v, fl := x.evalTemplate(f, a.jsonpath, in, nil)
		if fl != nil {
			return nil, fl
		}
		obj, _ := v.(map[string]any)
		for _, name := range a.names {
			out.vals = append(out.vals, obj[name])
		}
	}
	return out, x.sizeAssignment(f, out)
}

// sizeAssignment bounds the size of each assigned value (measuring it
// exactly only when the bound is over the limit) and encodes the values
// for the event when one is kept or shown.
func (x *Execution) sizeAssignment(f *frame, as *assignment) *failure {
	if cap(as.sizes) < len(as.vals) {
		as.sizes = make([]int, len(as.vals))
	}
	as.sizes = as.sizes[:len(as.vals)]
	total := 0
	for i, v := range as.vals {
		n, ok := value.Bound(v, MaxAssignBytes)
		if !ok {
			n = value.EncodedSize(v)
		}
		as.sizes[i] = n
		total += n
	}
	if total > MaxAssignBytes {
		total = 0
		for i, v := range as.vals {
			as.sizes[i] = value.EncodedSize(v)
			total += as.sizes[i]
		}
		if total > MaxAssignBytes {
			return &failure{name: states.DataLimitExceeded, cause: fmt.Sprintf("The variables assigned by the state '%s' take %d bytes, more than the %d-byte limit for one Assign.", f.state.Name, total, MaxAssignBytes)}
		}
	}
	if x.unobserved {
		return nil
	}
	as.encoded = make(map[string]string, len(as.vals))
	for i, v := range as.vals {
		enc, err := value.Encode(v)
		if err != nil {
			return &failure{name: states.Runtime, cause: fmt.Sprintf("The value assigned to the variable '%s' is not JSON: %v", as.names[i], err)}
		}
		as.encoded[as.names[i]] = string(enc)
	}
	return nil
}

// applyAssign sets the assigned variables in the frame's scope, which it
// creates on first use. The execution's variables may not exceed their
// limit: sizes are bounds, so only a total over it is measured exactly.
func (x *Execution) applyAssign(f *frame, as *assignment) *failure {
	if as == nil || len(as.vals) == 0 {
		return nil
	}
	sc := f.ownScope()
	for i, name := range as.names {
		x.varBytes += as.sizes[i] - sc.set(name, as.vals[i], as.sizes[i])
	}
	if x.varBytes <= MaxVariablesBytes {
		return nil
	}
	x.varBytes -= f.measureVariables()
	if x.varBytes > MaxVariablesBytes {
		return &failure{name: states.DataLimitExceeded, cause: fmt.Sprintf("The execution's variables take %d bytes, more than the %d-byte limit.", x.varBytes, MaxVariablesBytes)}
	}
	return nil
}

// measureVariables measures exactly the variables of the frame's scopes,
// replacing their bounds, and returns by how much the bounds were over.
func (f *frame) measureVariables() int {
	over := 0
	for sc := f.vars; sc != nil; sc = sc.parent {
		for i := range sc.slots {
			sl := &sc.slots[i]
			n := value.EncodedSize(sl.val)
			over += sl.size - n
			sl.size = n
		}
	}
	return over
}

// ownScope returns the frame's own scope, made when the frame first
// assigns: until then a branch or iteration reads its parent's.
func (f *frame) ownScope() *scope {
	if !f.scoped {
		f.vars = newScope(f.vars, f.machine.varCount)
		f.scoped = true
	}
	return f.vars
}

// sortedKeys lists an object's member names, sorted.
func sortedKeys(obj map[string]any) []string { return slices.Sorted(maps.Keys(obj)) }
