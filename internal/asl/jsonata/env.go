package jsonata

import (
	"math/rand/v2"
	"time"
)

// vars are the variables a frame or a tuple binds. They are few, so a
// slice scan beats a map.
type vars struct {
	names []string
	vals  []any
}

// bind sets a variable, adding it when it is new.
func (v *vars) bind(name string, x any) {
	for i, n := range v.names {
		if n == name {
			v.vals[i] = x
			return
		}
	}
	v.names = append(v.names, name)
	v.vals = append(v.vals, x)
}

// get reads a variable of this set alone.
func (v *vars) get(name string) (any, bool) {
	for i, n := range v.names {
		if n == name {
			return v.vals[i], true
		}
	}
	return nil, false
}

// clone copies the set, so that binding in the copy leaves v as it is.
func (v *vars) clone() vars {
	return vars{names: append([]string(nil), v.names...), vals: append([]any(nil), v.vals...)}
}

// env is a variable frame.
type env struct {
	parent *env
	vars
}

func newEnv(parent *env) *env { return &env{parent: parent} }

// lookupLocal searches the frame chain only.
func (e *env) lookupLocal(name string) (any, bool) {
	for f := e; f != nil; f = f.parent {
		if v, ok := f.get(name); ok {
			return v, true
		}
	}
	return undefined, false
}

// evalCtx is the state of one evaluation: limits, clock, random source,
// the caller's bindings and the function table.
type evalCtx struct {
	depth    int
	maxDepth int
	steps    uint32
	vtime    uint32 // virtual clock for the order of concurrent failures
	// timeout bounds the evaluation; its deadline is set at the first
	// time check, so that a short evaluation never reads the clock.
	timeout  time.Duration
	deadline time.Time
	now      time.Time // see clock
	nowSet   bool
	nowFn    func() time.Time
	rng      *rand.Rand
	randFn   func() *rand.Rand
	vars     *Bindings
	funcs    map[string]any
	// rivals, when set (by tests), collects every error that competed in
	// a concurrent evaluation (see parallel), to tell a different choice
	// among the same errors from a wrong error.
	rivals *[]Error
	// the root frame ($ is the input), kept here to save allocations
	root     env
	rootVals [1]any
}

// lookup resolves a variable: frames first, then the caller's bindings, then
// the function table.
func (c *evalCtx) lookup(e *env, name string) any {
	if v, ok := e.lookupLocal(name); ok {
		return v
	}
	if c.vars != nil {
		if v, ok := c.vars.get(name); ok {
			return fromInput(v)
		}
	}
	if f, ok := c.funcs[name]; ok && f != nil {
		return f
	}
	return undefined
}

// enter counts one evaluation level and checks the depth and time limits,
// as the jsonata-js test harness's evaluate-entry hook does.
func (c *evalCtx) enter() *Error {
	c.depth++
	if c.maxDepth > 0 && c.depth > c.maxDepth {
		return newErr("U1001", -1).withMessage(msgStackOverflow)
	}
	c.vtime++
	return c.tick()
}

// tick counts one unit of work and checks the time limit every 1024
// units; loops inside functions that evaluate nothing call it too.
func (c *evalCtx) tick() *Error {
	c.steps++
	if c.steps&1023 != 0 || c.timeout <= 0 {
		return nil
	}
	now := time.Now()
	if c.deadline.IsZero() {
		// The first check starts the limit: the work before it is a
		// thousand steps, microseconds.
		c.deadline = now.Add(c.timeout)
		return nil
	}
	if now.After(c.deadline) {
		return newErr("U1001", -1).withMessage(msgTimeout)
	}
	return nil
}

func mustSig(s string) *signature {
	sig, err := parseSignature(s)
	if err != nil {
		panic(err)
	}
	return sig
}
