package jsonata

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Expr is a compiled JSONata expression. It is immutable: one Expr may be
// evaluated by many goroutines at once.
type Expr struct {
	src  string
	root *node
}

// Compile parses an expression. A syntax error is an *Error carrying
// jsonata-js's code (S0xxx), position and token.
func Compile(expr string) (e *Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, &Error{Code: codeInternal, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	root, err := parse(expr)
	if err != nil {
		return nil, err
	}
	return &Expr{src: expr, root: root}, nil
}

// MustCompile is Compile for expressions known to be valid; it panics
// otherwise.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Bindings supplies variables to an evaluation: Vars first, then Lookup.
// Names are given without the leading $. Values are in the engine's value
// model and are read lazily, never copied.
type Bindings struct {
	Vars   map[string]any
	Lookup func(name string) (any, bool)
}

func (b *Bindings) get(name string) (any, bool) {
	if b.Vars != nil {
		if v, ok := b.Vars[name]; ok {
			return v, true
		}
	}
	if b.Lookup != nil {
		return b.Lookup(name)
	}
	return nil, false
}

// Func is a function the caller adds to an evaluation, such as the
// engine's own extensions. Impl receives its arguments in the engine's
// value model (nil, bool, string, float64, []any, map[string]any,
// Function), with Undefined for a missing one, and returns a value in the
// same model (Undefined for no result). Signature is an optional JSONata
// signature (e.g. "<s-n?:s>") checked before Impl runs; with "-" the
// context value stands in for a missing first argument.
type Func struct {
	Signature string
	Impl      func(call *Call, args []any) (any, error)

	// raw is an in-package implementation over evaluator values, used by
	// AWSFunctions to return sequences as jsonata-js functions do.
	raw func(call *Call, args []any) (any, error)
}

// Undefined stands for JSONata's undefined (no value, not null) in the
// arguments and results of a Func.
var Undefined any = undefined

// Call gives a Func its evaluation context.
type Call struct {
	c  *evalCtx
	ci *callInfo
}

// Random returns a number in [0, 1) from the evaluation's random source.
func (call *Call) Random() float64 { return call.c.random() }

// Now returns the evaluation's timestamp.
func (call *Call) Now() time.Time { return call.c.clock() }

// Options configure an evaluation. The zero value is jsonata-js's default
// environment with the default limits.
type Options struct {
	// MaxDepth bounds evaluation nesting (jsonata-js counts one level per
	// AST node evaluated); exceeding it is U1001 "Stack overflow error".
	// 0 means DefaultMaxDepth; negative means no limit.
	MaxDepth int
	// Timeout bounds an evaluation's duration; exceeding it is U1001
	// "Expression evaluation timeout". 0 means DefaultTimeout; negative
	// means no limit.
	Timeout time.Duration
	// Now is the clock for $now and $millis (read once per evaluation).
	// Nil means time.Now.
	Now func() time.Time
	// Rand is the random source for $random, $shuffle and extensions. Nil
	// means RandFunc's, or a randomly seeded source.
	Rand *rand.Rand
	// RandFunc, when Rand is nil, is called the first time an evaluation
	// needs a random number, for a caller that makes its source on demand.
	RandFunc func() *rand.Rand
	// Functions adds or replaces functions by name (without $); a nil
	// entry removes a standard function (e.g. "eval").
	Functions *FuncSet
}

// Default limits.
const (
	DefaultMaxDepth = 2000
	DefaultTimeout  = 10 * time.Second
)

// FuncSet is a prepared table of functions: the standard library with
// additions, replacements and removals. Build one once and share it.
type FuncSet struct {
	funcs map[string]any
}

// NewFuncSet builds a function table from the standard library plus add;
// a nil Func removes the function of that name.
func NewFuncSet(add map[string]*Func) (*FuncSet, error) {
	fs := &FuncSet{funcs: make(map[string]any, len(standardFuncs)+len(add))}
	for k, v := range standardFuncs {
		fs.funcs[k] = v
	}
	for name, f := range add {
		if f == nil {
			delete(fs.funcs, name)
			continue
		}
		nf, err := wrapFunc(name, f)
		if err != nil {
			return nil, err
		}
		fs.funcs[name] = nf
	}
	return fs, nil
}

func wrapFunc(name string, f *Func) (*nativeFn, error) {
	impl := f.raw
	if impl == nil {
		if f.Impl == nil {
			return nil, fmt.Errorf("jsonata: $%s has no implementation", name)
		}
		impl = func(call *Call, args []any) (any, error) {
			out := make([]any, len(args))
			for i, a := range args {
				out[i] = exportValue(a)
			}
			res, err := f.Impl(call, out)
			if err != nil {
				return nil, err
			}
			return fromInput(res), nil
		}
	}
	nf := &nativeFn{name: name, impl: func(c *evalCtx, ci *callInfo, args []any) (any, error) {
		return impl(&Call{c: c, ci: ci}, args)
	}}
	if f.Signature != "" {
		s, err := parseSignature(f.Signature)
		if err != nil {
			return nil, fmt.Errorf("jsonata: signature of $%s: %w", name, err)
		}
		nf.sig = s
		nf.arity = len(s.params)
	}
	return nf, nil
}

// exportValue converts an evaluator value for a Func: undefined stays
// Undefined, everything else goes to the engine's value model.
func exportValue(v any) any {
	if isUndef(v) {
		return Undefined
	}
	return toOutput(v)
}

var defaultFuncSet = &FuncSet{funcs: standardFuncs}

// Eval evaluates the expression against input with the given bindings (nil
// for none). defined is false when the result is JSONata's undefined
// (distinct from null). The result is in the engine's value model: nil,
// bool, string, float64, []any, map[string]any (or a Function, see
// IsFunction); a part of the input that encodes as its JSONata conversion
// would (numbers that print as their doubles do) comes back as it is,
// without a copy. Errors are *Error.
func (e *Expr) Eval(input any, vars *Bindings, opts *Options) (result any, defined bool, err error) {
	return NewEvaluator(vars, opts).Eval(e, input)
}

// An Evaluator evaluates expressions one after another with the same
// bindings and options, in the same memory: a caller that evaluates many
// expressions (a state's fields, state after state) spares an allocation
// and two clock reads an evaluation. It is not safe for concurrent use;
// the bindings are read anew by each evaluation.
type Evaluator struct {
	c       evalCtx
	clean   cleanMaps // maps already found clean, by this evaluator
	timeout time.Duration
	nowFn   func() time.Time
	rng     *rand.Rand
	randFn  func() *rand.Rand
}

// NewEvaluator makes an Evaluator.
func NewEvaluator(vars *Bindings, opts *Options) *Evaluator {
	ev := new(Evaluator)
	ev.Reset(vars, opts)
	return ev
}

// Reset sets up ev for vars and opts, as NewEvaluator does, in ev's own
// memory: an Evaluator may be a field of the caller's structures.
func (ev *Evaluator) Reset(vars *Bindings, opts *Options) {
	*ev = Evaluator{timeout: DefaultTimeout}
	c := &ev.c
	c.vars, c.maxDepth, c.funcs = vars, DefaultMaxDepth, standardFuncs
	if opts != nil {
		if opts.MaxDepth != 0 {
			c.maxDepth = opts.MaxDepth
		}
		if opts.Timeout != 0 {
			ev.timeout = opts.Timeout
		}
		ev.nowFn, ev.rng, ev.randFn = opts.Now, opts.Rand, opts.RandFunc
		if opts.Functions != nil {
			c.funcs = opts.Functions.funcs
		}
	}
}

// Forget drops what ev remembers of the caller values it has seen: call it
// before handing it values that may have changed since (memory the caller
// refilled), or that it must not keep alive.
func (ev *Evaluator) Forget() { ev.clean = cleanMaps{} }

// Eval evaluates e against input, as Expr.Eval does.
func (ev *Evaluator) Eval(e *Expr, input any) (result any, defined bool, err error) {
	c := &ev.c
	c.depth, c.steps, c.vtime = 0, 0, 0
	c.timeout, c.deadline = ev.timeout, time.Time{}
	c.nowFn, c.nowSet = ev.nowFn, false
	// The random source is asked for anew by each evaluation: a caller's
	// RandFunc may hand out a different one each time.
	c.rng, c.randFn = ev.rng, ev.randFn
	defer func() {
		if r := recover(); r != nil {
			result, defined, err = nil, false, &Error{Code: codeInternal, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	res, err := c.run(e.root, input)
	if err != nil {
		return nil, false, err
	}
	if isUndef(res) {
		return nil, false, nil
	}
	return ev.clean.toOutput(res), true, nil
}

func newEvalCtx(vars *Bindings, opts *Options) *evalCtx {
	ev := NewEvaluator(vars, opts)
	c := &ev.c
	c.timeout, c.nowFn, c.rng, c.randFn = ev.timeout, ev.nowFn, ev.rng, ev.randFn
	return c
}

// run evaluates the root with jsonata-js's top-level setup: $ is the input,
// and an input array is wrapped so it is treated as one value.
func (c *evalCtx) run(root *node, input any) (any, error) {
	in := fromInput(input)
	// The root frame lives in the context: no allocation of its own.
	c.rootVals[0] = in
	root0 := &c.root
	root0.names, root0.vals = rootNames, c.rootVals[:]
	return c.eval(root, wrapInput(in), root0)
}

// rootNames is shared by all root frames; binding $$ again only changes
// the frame's value, never this slice.
var rootNames = []string{"$"}

func (c *evalCtx) random() float64 {
	if c.rng == nil && c.randFn != nil {
		c.rng = c.randFn()
	}
	if c.rng == nil {
		c.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return c.rng.Float64()
}

// clock returns the evaluation's timestamp, read once, on first use, so
// that every $now and $millis of one evaluation agree.
func (c *evalCtx) clock() time.Time {
	if !c.nowSet {
		if c.nowFn != nil {
			c.now = c.nowFn()
		} else {
			c.now = time.Now()
		}
		c.nowSet = true
	}
	return c.now
}

// evalInternal is Eval without the conversion of the result: the tests
// use it to compare ordered objects and sequences as they are.
func (e *Expr) evalInternal(input any, vars *Bindings, opts *Options) (any, error) {
	c := newEvalCtx(vars, opts)
	return c.run(e.root, input)
}
