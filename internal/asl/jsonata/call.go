package jsonata

// lambda is a user function (function($x){...}), a partial application of
// one, a partially applied native function, or a tail-call thunk.
type lambda struct {
	node   *node // the lambda node; for a thunk, its body is the call
	body   *node
	input  any
	env    *env
	params []string // the parameters still to bind (node.params for a lambda as written)
	sig    *signature
	thunk  bool
	native *nativeFn // set for a partially applied native function
}

// callInfo is what a native function sees of its call: the context value
// and the calling environment.
type callInfo struct {
	input any
	env   *env
}

// nativeFn is a function implemented in Go: a built-in, a registered
// extension, or a function the evaluator makes (transform, regex next).
type nativeFn struct {
	name   string
	sig    *signature
	arity  int      // JavaScript's function.length, for higher-order calls
	params []string // declared parameters, for partial application
	impl   builtinImpl
}

func isFunc(v any) bool {
	switch v.(type) {
	case *lambda, *nativeFn, *matcher:
		return true
	}
	return false
}

// funcArity is jsonata-js's getFunctionArity.
func funcArity(f any) int {
	switch x := f.(type) {
	case *lambda:
		return len(x.params)
	case *nativeFn:
		return x.arity
	case *matcher:
		return 2
	}
	return 0
}

func (l *lambda) bodyNode() *node {
	if l.body != nil {
		return l.body
	}
	return l.node.body
}

// evalCall evaluates a function call. With applyTo set (the ~> operator),
// the left-hand value is the first argument.
func (c *evalCtx) evalCall(n *node, input any, e *env, applyTo any, hasApplyTo bool) (any, error) {
	proc, err := c.eval(n.proc, input, e)
	if err != nil {
		return nil, err
	}
	if isUndef(proc) && n.proc.typ == nPath && !isUndef(c.lookup(e, n.proc.steps[0].op)) {
		return nil, newErr("T1005", n.pos).withToken(n.proc.steps[0].op)
	}
	args := make([]any, 0, len(n.exprs)+1)
	if hasApplyTo {
		args = append(args, applyTo)
	}
	for _, a := range n.exprs {
		v, err := c.eval(a, input, e)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	name := n.proc.op
	if n.proc.typ == nPath {
		name = n.proc.steps[0].op
	}
	// apply is awaited too: one more tick before a call's
	// own errors than an operator's (see parallel).
	c.vtime++
	res, err := c.apply(proc, args, input, e)
	if err != nil {
		if je, ok := err.(*Error); ok {
			if isFunc(proc) {
				je.Position, je.hasPos = n.pos, true
			} else {
				je.setPosIfMissing(n.pos)
			}
			je.setTokenIfMissing(name)
		}
		return nil, err
	}
	return res, nil
}

// apply calls a function and runs the tail-call trampoline.
func (c *evalCtx) apply(proc any, args []any, input any, e *env) (any, error) {
	res, err := c.applyInner(proc, args, input, e)
	for err == nil {
		th, ok := res.(*lambda)
		if !ok || !th.thunk {
			break
		}
		call := th.node.body
		next, perr := c.eval(call.proc, th.input, th.env)
		if perr != nil {
			return nil, perr
		}
		targs := make([]any, len(call.exprs))
		for i, a := range call.exprs {
			if targs[i], perr = c.eval(a, th.input, th.env); perr != nil {
				return nil, perr
			}
		}
		res, err = c.applyInner(next, targs, input, e)
		if err != nil {
			if je, ok := err.(*Error); ok {
				je.setPosIfMissing(call.proc.pos)
				if call.proc.typ == nVariable {
					je.setTokenIfMissing(call.proc.op)
				}
			}
		}
	}
	return res, err
}

func (c *evalCtx) applyInner(proc any, args []any, input any, e *env) (any, error) {
	switch f := proc.(type) {
	case *lambda:
		args, err := f.sig.check(args, input)
		if err != nil {
			return nil, err
		}
		return c.applyLambda(f, args)
	case *nativeFn:
		args, err := f.sig.check(args, input)
		if err != nil {
			return nil, err
		}
		return f.impl(c, &callInfo{input: input, env: e}, args)
	case *matcher:
		str, _ := argAt(args, 0).(string)
		from, _ := argAt(args, 1).(float64)
		return f.exec(str, int(from))
	}
	return nil, newErr("T1006", -1)
}

func argAt(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return undefined
}

func (c *evalCtx) applyLambda(f *lambda, args []any) (any, error) {
	frame := &env{parent: f.env, vars: vars{names: make([]string, 0, len(f.params)), vals: make([]any, 0, len(f.params))}}
	for i, p := range f.params {
		frame.bind(p, argAt(args, i))
	}
	if f.native != nil {
		nargs := make([]any, len(f.native.params))
		for i, p := range f.native.params {
			v, _ := frame.lookupLocal(p)
			nargs[i] = v
		}
		for len(nargs) > 0 && isUndef(nargs[len(nargs)-1]) {
			nargs = nargs[:len(nargs)-1]
		}
		return c.applyInner(f.native, nargs, undefined, frame)
	}
	return c.eval(f.bodyNode(), f.input, frame)
}

// placeholder marks an unbound argument (?) of a partial application.
type placeholder struct{}

func (c *evalCtx) evalPartial(n *node, input any, e *env) (any, error) {
	args := make([]any, len(n.exprs))
	for i, a := range n.exprs {
		if a.typ == nPlaceholder {
			args[i] = placeholder{}
			continue
		}
		v, err := c.eval(a, input, e)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	proc, err := c.eval(n.proc, input, e)
	if err != nil {
		return nil, err
	}
	name := n.proc.op
	if n.proc.typ == nPath {
		name = n.proc.steps[0].op
		if isUndef(proc) && !isUndef(c.lookup(e, name)) {
			return nil, newErr("T1007", n.pos).withToken(name)
		}
	}
	switch f := proc.(type) {
	case *lambda:
		return partialLambda(f, args), nil
	case *nativeFn:
		base := &lambda{params: f.params, native: f, env: nil}
		return partialLambda(base, args), nil
	}
	return nil, newErr("T1008", n.pos).withToken(name)
}

func partialLambda(f *lambda, args []any) *lambda {
	frame := newEnv(f.env)
	var unbound []string
	for i, p := range f.params {
		a := argAt(args, i)
		if _, ok := a.(placeholder); ok {
			unbound = append(unbound, p)
		} else {
			frame.bind(p, a)
		}
	}
	return &lambda{node: f.node, body: f.bodyNode0(), input: f.input, env: frame, params: unbound, native: f.native}
}

// bodyNode0 is the body, or nil for a native wrapper.
func (l *lambda) bodyNode0() *node {
	if l.native != nil {
		return nil
	}
	return l.bodyNode()
}

var chainAST *node

func init() {
	var err error
	chainAST, err = parse("function($f, $g) { function($x){ $g($f($x)) } }")
	if err != nil {
		panic(err)
	}
}

// evalApply is the ~> operator: call the right-hand function with the
// left-hand value first, or compose two functions.
func (c *evalCtx) evalApply(n *node, input any, e *env) (any, error) {
	lhs, err := c.eval(n.lhs, input, e)
	if err != nil {
		return nil, err
	}
	if n.rhs.typ == nFunction {
		return c.evalCall(n.rhs, input, e, lhs, true)
	}
	fn, err := c.eval(n.rhs, input, e)
	if err != nil {
		return nil, err
	}
	if !isFunc(fn) {
		return nil, newErr("T2006", n.pos).withValue(fn)
	}
	if isFunc(lhs) {
		chain, err := c.eval(chainAST, undefined, e)
		if err != nil {
			return nil, err
		}
		return c.apply(chain, []any{lhs, fn}, undefined, e)
	}
	return c.apply(fn, []any{lhs}, undefined, e)
}
