package asl

import (
	"fmt"
	"sort"

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
type scope struct {
	vars   map[string]any
	sizes  map[string]int // each variable's encoded size
	parent *scope
	getFn  func(string) (any, bool) // get as a func value, made once
}

func newScope(parent *scope) *scope {
	sc := &scope{parent: parent}
	sc.getFn = sc.get
	return sc
}

// get finds a variable in this scope or an outer one.
func (sc *scope) get(name string) (any, bool) {
	for s := sc; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
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

// assignment is what an Assign evaluated to: the values to set, their
// encoded sizes, and, when the execution keeps or shows events, their JSON
// for the StateExited event.
type assignment struct {
	vals    map[string]any
	sizes   map[string]int
	encoded map[string]string
}

// evalAssign evaluates an Assign for frame f. For JSONPath, in is what "$"
// stands for (the state's result, or its input for a state without one);
// a JSONata Assign reads the $states the caller has set.
func (x *Execution) evalAssign(f *frame, a *assign, in any) (*assignment, *failure) {
	var v any
	if a.jsonata != nil {
		var bad *evalFailure
		if v, bad = x.evalField(f, a.jsonata); bad != nil {
			fl := x.queryFailure(f, bad)
			return nil, &fl
		}
	} else {
		var fl *failure
		if v, fl = x.evalTemplate(f, a.jsonpath, in, nil); fl != nil {
			return nil, fl
		}
	}
	vals, _ := v.(map[string]any)
	out := &assignment{vals: vals, sizes: make(map[string]int, len(vals))}
	if !x.unobserved {
		out.encoded = make(map[string]string, len(vals))
	}
	total := 0
	for name, val := range vals {
		n := value.EncodedSize(val)
		if out.encoded != nil {
			enc, err := value.Encode(val)
			if err != nil {
				return nil, &failure{name: states.Runtime, cause: fmt.Sprintf("The value assigned to the variable '%s' is not JSON: %v", name, err)}
			}
			out.encoded[name] = string(enc)
		}
		out.sizes[name] = n
		total += n
	}
	if total > MaxAssignBytes {
		return nil, &failure{name: states.DataLimitExceeded, cause: fmt.Sprintf("The variables assigned by the state '%s' take %d bytes, more than the %d-byte limit for one Assign.", f.state.Name, total, MaxAssignBytes)}
	}
	return out, nil
}

// apply sets the assigned variables in the frame's scope, which it creates
// on first use. The execution's variables may not exceed their limit.
func (x *Execution) applyAssign(f *frame, as *assignment) *failure {
	if as == nil || len(as.vals) == 0 {
		return nil
	}
	sc := f.ownScope()
	if sc.vars == nil {
		sc.vars = make(map[string]any, len(as.vals))
		sc.sizes = make(map[string]int, len(as.vals))
	}
	for name, v := range as.vals {
		x.varBytes += as.sizes[name] - sc.sizes[name]
		sc.vars[name], sc.sizes[name] = v, as.sizes[name]
	}
	if x.varBytes > MaxVariablesBytes {
		return &failure{name: states.DataLimitExceeded, cause: fmt.Sprintf("The execution's variables take %d bytes, more than the %d-byte limit.", x.varBytes, MaxVariablesBytes)}
	}
	return nil
}

// ownScope returns the frame's own scope, made when the frame first
// assigns: until then a branch or iteration reads its parent's.
func (f *frame) ownScope() *scope {
	if !f.scoped {
		f.vars = newScope(f.vars)
		f.scoped = true
	}
	return f.vars
}

// sortedKeys lists an object's member names, sorted.
func sortedKeys(obj map[string]any) []string {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
