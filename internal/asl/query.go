package asl

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/jsonata"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// A JSONata state's fields (Arguments, Output, Assign, Items, Condition,
// ...) are JSON values whose strings may be expressions written "{% ... %}".
// A field is compiled once, when the definition is parsed, into a jfield:
// its literal parts kept as they are, its expressions compiled.

// isExpr reports whether s is a JSONata expression string, "{% ... %}".
func isExpr(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// exprText is the expression inside "{% ... %}", as AWS quotes it.
func exprText(s string) string { return strings.TrimSpace(s[2 : len(s)-2]) }

type jkind uint8

const (
	jLiteral jkind = iota // a JSON value with no expression in it
	jExpr                 // a "{% ... %}" string
	jObject               // an object with an expression somewhere inside
	jArray                // an array with an expression somewhere inside
)

// jnode is one value of a field.
type jnode struct {
	kind  jkind
	lit   any           // jLiteral
	expr  *jsonata.Expr // jExpr
	where string        // the field path AWS names in errors: Output/result
	keys  []string      // jObject
	kids  []jnode       // jObject (by keys) and jArray
}

// jfield is a compiled field of a JSONata state.
type jfield struct {
	name string // Output, Arguments, Items, ...
	root jnode
	// uses says which members of $states the field's expressions read.
	uses statesUse
}

// statesUse is what a field's expressions read.
type statesUse struct {
	context     bool // $states.context, or $states as a whole
	result      bool // $states.result
	errorOutput bool // $states.errorOutput
}

// compileField compiles v, the value of the field name, reporting the
// first expression that does not parse. top says whether v itself may be
// an expression (Items, Condition and Output may; Arguments and Assign are
// objects) — the caller checks the shape.
func compileField(name string, v any) (*jfield, error) {
	jf := &jfield{name: name}
	root, err := compileNode(name, v, &jf.uses)
	if err != nil {
		return nil, err
	}
	jf.root = root
	return jf, nil
}

func compileNode(where string, v any, uses *statesUse) (jnode, error) {
	switch x := v.(type) {
	case string:
		if !isExpr(x) {
			return jnode{kind: jLiteral, lit: x}, nil
		}
		src := exprText(x)
		e, err := jsonata.Compile(src)
		if err != nil {
			return jnode{}, &exprError{where: where, src: src, err: err}
		}
		noteUses(e, uses)
		return jnode{kind: jExpr, expr: e, where: where}, nil
	case map[string]any:
		keys := sortedKeys(x)
		return compileKids(jnode{kind: jObject, keys: keys, where: where}, v, len(keys), func(i int) (string, any) {
			return where + "/" + keys[i], x[keys[i]]
		}, uses)
	case []any:
		return compileKids(jnode{kind: jArray, where: where}, v, len(x), func(i int) (string, any) {
			return fmt.Sprintf("%s[%d]", where, i), x[i]
		}, uses)
	}
	return jnode{kind: jLiteral, lit: v}, nil
}

// compileKids compiles the n members of an object or array v into n's
// kids; kid gives the field path and the value of member i. A container
// with no expression in it is a literal.
func compileKids(n jnode, v any, count int, kid func(i int) (string, any), uses *statesUse) (jnode, error) {
	n.kids = make([]jnode, count)
	dynamic := false
	for i := range count {
		where, val := kid(i)
		k, err := compileNode(where, val, uses)
		if err != nil {
			return jnode{}, err
		}
		n.kids[i] = k
		dynamic = dynamic || k.kind != jLiteral
	}
	if !dynamic {
		return jnode{kind: jLiteral, lit: v}, nil
	}
	return n, nil
}

// noteUses records what an expression reads that the engine must provide.
func noteUses(e *jsonata.Expr, uses *statesUse) {
	for _, f := range e.StatesFields() {
		switch f {
		case "context", "":
			uses.context = true
		case "result":
			uses.result = true
		case "errorOutput":
			uses.errorOutput = true
		}
	}
}

// exprError is an expression that does not compile.
type exprError struct {
	where string
	src   string
	err   error
}

func (e *exprError) Error() string {
	msg := e.err.Error()
	var je *jsonata.Error
	if ok := asJSONataError(e.err, &je); ok {
		msg = fmt.Sprintf("%s (at position %d of the expression)", je.Error(), je.Position)
	}
	return fmt.Sprintf("the JSONata expression '%s' does not parse: %s", e.src, msg)
}

func asJSONataError(err error, out **jsonata.Error) bool {
	je, ok := err.(*jsonata.Error)
	if ok {
		*out = je
	}
	return ok
}

// static reports whether the field has no expression in it.
func (jf *jfield) static() bool { return jf.root.kind == jLiteral }

// jsonataFuncs are the functions Step Functions gives JSONata: the
// standard library and its own ($partition, $range, $hash, $random,
// $uuid, $parse), without $eval.
var jsonataFuncs = jsonata.AWSFuncSet

// evalFailure is a field that failed to evaluate: the expression, the
// field path and why, in AWS's words.
type evalFailure struct {
	field string // the top-level field, the EvaluationFailed event's location
	cause string // after "An error occurred while executing the state ..."
}

// eval evaluates the field for frame f with the frame's $states.
func (x *Execution) evalField(f *frame, jf *jfield) (any, *evalFailure) {
	if jf.root.kind == jLiteral {
		return jf.root.lit, nil
	}
	return x.evalNode(f, jf, &jf.root)
}

// evalMembers evaluates a field that is an object (Assign) into the values
// of its members, in the order of its sorted names, appended to vals.
func (x *Execution) evalMembers(f *frame, jf *jfield, vals *[]any) *evalFailure {
	n := &jf.root
	if n.kind == jLiteral {
		obj, _ := n.lit.(map[string]any)
		for _, k := range sortedKeys(obj) {
			*vals = append(*vals, obj[k])
		}
		return nil
	}
	for i := range n.kids {
		v, bad := x.evalNode(f, jf, &n.kids[i])
		if bad != nil {
			return bad
		}
		*vals = append(*vals, v)
	}
	return nil
}

func (x *Execution) evalNode(f *frame, jf *jfield, n *jnode) (any, *evalFailure) {
	switch n.kind {
	case jLiteral:
		return n.lit, nil
	case jExpr:
		return x.evalExpr(f, jf, n)
	case jObject:
		if a := f.js.records; a != nil {
			r := a.next(n.keys)
			for i := range n.kids {
				v, bad := x.evalNode(f, jf, &n.kids[i])
				if bad != nil {
					return nil, bad
				}
				r.Values = append(r.Values, v)
			}
			return r, nil
		}
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, bad := x.evalNode(f, jf, &n.kids[i])
			if bad != nil {
				return nil, bad
			}
			out[k] = v
		}
		return out, nil
	default:
		out := make([]any, len(n.kids))
		for i := range n.kids {
			v, bad := x.evalNode(f, jf, &n.kids[i])
			if bad != nil {
				return nil, bad
			}
			out[i] = v
		}
		return out, nil
	}
}

// evalExpr evaluates one expression. Undefined, a function, and an error
// are failures with AWS's cause texts.
func (x *Execution) evalExpr(f *frame, jf *jfield, n *jnode) (any, *evalFailure) {
	v, defined, err := f.js.ev.Eval(n.expr, nil)
	src := n.expr.String()
	switch {
	case err != nil:
		return nil, &evalFailure{field: jf.name, cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", src, n.where, err.Error())}
	case !defined:
		return nil, &evalFailure{field: jf.name, cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", src, n.where)}
	case jsonata.IsFunction(v):
		return nil, &evalFailure{field: jf.name, cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", src, n.where)}
	}
	return v, nil
}

// typeFailure is the cause AWS gives when an expression's result has the
// wrong type for its field (Items must be an array, ...).
func typeFailure(jf *jfield, want string, got any) *evalFailure {
	src, where := "", jf.name
	if jf.root.kind == jExpr {
		src, where = jf.root.expr.String(), jf.root.where
	}
	return &evalFailure{field: jf.name, cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
		src, where, want, value.TypeName(got), value.MustEncodeString(got))}
}

// now returns the execution clock's Now as a func value.
func (x *Execution) now() func() time.Time {
	if x.nowFn == nil {
		x.nowFn = x.clk.Now
	}
	return x.nowFn
}

// queryFailure turns an evaluation failure into the state's failure: an
// EvaluationFailed event, then States.QueryEvaluationError with the
// state's preamble.
func (x *Execution) queryFailure(f *frame, bad *evalFailure) failure {
	fl := failure{name: states.QueryEvaluationError, cause: x.statePreamble(f) + bad.cause}
	x.evaluationFailed(f, bad.field, fl)
	return fl
}

// queryFailed is queryFailure for a caller that hands a *failure on.
func (x *Execution) queryFailed(f *frame, bad *evalFailure) *failure {
	fl := x.queryFailure(f, bad)
	return &fl
}

// statePreamble begins the cause of a failure raised while a state runs.
func (x *Execution) statePreamble(f *frame) string {
	return fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", f.state.Name, f.entered)
}

// evaluationFailed records an EvaluationFailed event. AWS links it to the
// event before the state was entered, not to the last one.
func (x *Execution) evaluationFailed(f *frame, location string, fl failure) {
	if x.unobserved {
		x.countEvent(f)
		return
	}
	ev := HistoryEvent{Type: types.HistoryEventTypeEvaluationFailed, StateName: f.state.Name, Error: fl.name, Cause: fl.cause, Location: location, PreviousEventID: f.enteredPrev}
	f.prev = x.emit(ev)
}

// The members $states may have, by bit: input is always there.
const (
	statesResult uint8 = 1 << iota
	statesErrorOutput
	statesContext
)

// statesNames holds the member names of $states for each combination of
// the bits above, in the order AWS documents them.
var statesNames = func() (out [8][]string) {
	for mask := range out {
		names := []string{"input"}
		if mask&int(statesResult) != 0 {
			names = append(names, "result")
		}
		if mask&int(statesErrorOutput) != 0 {
			names = append(names, "errorOutput")
		}
		if mask&int(statesContext) != 0 {
			names = append(names, "context")
		}
		out[mask] = names
	}
	return out
}()

// jstate is what a frame keeps to evaluate JSONata fields: $states as a
// record refilled for each state, and the bindings that read it and the
// frame's variables. Evaluation copies out whatever it returns, so the
// record is never held by a value.
type jstate struct {
	rec  value.Record
	vals [4]any
	bind jsonata.Bindings
	ev   jsonata.Evaluator // reads bind, with Step Functions' functions
	// records, while set, holds the records a Task's Arguments are built
	// in for a handler that reads records (see runTaskJ).
	records *recordArena
}

// recordArena hands out records for the objects of a Task's Arguments, in
// the memory of the previous Task's: a Pool's handlers are done with a
// Task's input once Invoke returns.
type recordArena struct {
	recs []*value.Record
	n    int
}

// next returns an empty record with names, from the arena's memory.
func (a *recordArena) next(names []string) *value.Record {
	if a.n == len(a.recs) {
		a.recs = append(a.recs, &value.Record{Values: make([]any, 0, len(names))})
	}
	r := a.recs[a.n]
	a.n++
	r.Names, r.Values = names, r.Values[:0]
	return r
}

// setStates fills the frame's $states for state s: input always, result
// and errorOutput when given (have says which), and the context object
// when a field of the state reads it.
func (x *Execution) setStates(f *frame, have uint8, input, result, errOut any, s *State) {
	var ctx any
	if s.jctx {
		ctx = x.context(f)
	}
	x.setStatesCtx(f, have, input, result, errOut, ctx)
}

// setStatesCtx is setStates with the context object given (nil: none).
func (x *Execution) setStatesCtx(f *frame, have uint8, input, result, errOut, ctx any) {
	js := f.js
	if js == nil {
		js = new(jstate)
		js.bind.Lookup = f.lookup
		js.ev.Reset(&js.bind, &jsonata.Options{Functions: jsonataFuncs, Now: x.now(), RandFunc: x.randFunc()})
		f.js = js
	}
	mask := have
	vals := js.vals[:0]
	vals = append(vals, input)
	if have&statesResult != 0 {
		vals = append(vals, result)
	}
	if have&statesErrorOutput != 0 {
		vals = append(vals, errOut)
	}
	if ctx != nil {
		mask |= statesContext
		vals = append(vals, ctx)
	}
	js.rec.Names, js.rec.Values = statesNames[mask], vals
}

// lookup is the frame's JSONata variable lookup: $states, then the
// workflow variables in scope.
func (f *frame) lookup(name string) (any, bool) {
	if name == "states" {
		return &f.js.rec, true
	}
	return f.vars.get(name)
}

// randFunc returns the execution's random source as a func, for JSONata's
// $random, $uuid and $shuffle, made on first use.
func (x *Execution) randFunc() func() *rand.Rand {
	if x.randFn == nil {
		x.randFn = x.rand
	}
	return x.randFn
}
