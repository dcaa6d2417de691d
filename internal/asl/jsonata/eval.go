package jsonata

import (
	"math"
)

// eval evaluates one AST node against input in env, mirroring jsonata-js's
// evaluate: the node itself, then any predicates and grouping attached to
// it, then the collapse of sequences (empty to undefined, singleton to its
// item).
func (c *evalCtx) eval(n *node, input any, e *env) (any, error) {
	if err := c.enter(); err != nil {
		return nil, err
	}
	res, err := c.evalNode(n, input, e)
	if err != nil {
		if je, ok := err.(*Error); ok && je.tick == 0 {
			je.tick = c.vtime
		}
		return nil, err
	}
	for _, p := range n.predicate {
		if res, err = c.filter(p.filter, res, e); err != nil {
			return nil, err
		}
	}
	if n.typ != nPath && n.group != nil {
		if res, err = c.group(n.group, res, e); err != nil {
			return nil, err
		}
	}
	c.depth--
	if a, ok := res.(*array); ok && a.seq {
		if n.keepArray {
			a.keepSingleton = true
		}
		switch len(a.items) {
		case 0:
			return undefined, nil
		case 1:
			if !a.keepSingleton {
				return a.items[0], nil
			}
		}
	}
	return res, nil
}

func (c *evalCtx) evalNode(n *node, input any, e *env) (any, error) {
	switch n.typ {
	case nPath:
		return c.evalPath(n, input, e)
	case nBinary:
		return c.evalBinary(n, input, e)
	case nUnaryMinus:
		return c.evalNegate(n, input, e)
	case nArray:
		return c.evalArray(n, input, e)
	case nObject:
		if n.simple {
			if _, isArr := input.(*array); !isArr {
				return c.literalObject(n, input, e)
			}
		}
		return c.group(&groupSpec{pairs: n.pairs, pos: n.pos}, input, e)
	case nName:
		return lookupField(input, n.op), nil
	case nString:
		return n.op, nil
	case nNumber:
		return n.num, nil
	case nValue:
		return n.val, nil
	case nWildcard:
		return wildcard(input), nil
	case nDescendant:
		return descendants(input), nil
	case nParent:
		v, _ := e.lookupLocal(n.slot.label)
		return v, nil
	case nCondition:
		return c.evalCondition(n, input, e)
	case nBlock:
		return c.evalBlock(n, input, e)
	case nBind:
		v, err := c.eval(n.rhs, input, e)
		if err != nil {
			return nil, err
		}
		e.bind(n.lhs.op, v)
		return v, nil
	case nRegex:
		return &matcher{re: n.re, src: n.reSrc, pos: n.pos}, nil
	case nFunction:
		return c.evalCall(n, input, e, nil, false)
	case nVariable:
		return c.evalVariable(n, input, e), nil
	case nLambda:
		return &lambda{node: n, input: input, env: e, params: n.params, sig: n.sig, thunk: n.thunk}, nil
	case nPartial:
		return c.evalPartial(n, input, e)
	case nApply:
		return c.evalApply(n, input, e)
	case nTransform:
		return c.evalTransform(n, e), nil
	}
	return undefined, nil
}

func (c *evalCtx) evalVariable(n *node, input any, e *env) any {
	if n.op == "" {
		if a, ok := input.(*array); ok && a.outer {
			if len(a.items) == 0 {
				return undefined
			}
			return a.items[0]
		}
		return input
	}
	return c.lookup(e, n.op)
}

func (c *evalCtx) evalCondition(n *node, input any, e *env) (any, error) {
	cond, err := c.eval(n.cond, input, e)
	if err != nil {
		return nil, err
	}
	b, err := toBoolean(cond)
	if err != nil {
		return nil, err
	}
	if b == 1 {
		return c.eval(n.then, input, e)
	}
	if n.els != nil {
		return c.eval(n.els, input, e)
	}
	return undefined, nil
}

func (c *evalCtx) evalBlock(n *node, input any, e *env) (any, error) {
	frame := newEnv(e)
	var res any = undefined
	for _, x := range n.exprs {
		var err error
		if res, err = c.eval(x, input, frame); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (c *evalCtx) evalNegate(n *node, input any, e *env) (any, error) {
	v, err := c.eval(n.lhs, input, e)
	if err != nil {
		return nil, err
	}
	if isUndef(v) {
		return undefined, nil
	}
	if f, ok := v.(float64); ok {
		if err := checkFinite(f); err != nil {
			return nil, err
		}
		return -f, nil
	}
	return nil, newErr("D1002", n.pos).withToken("-").withValue(v)
}

// checkFinite is jsonata-js's isNumeric guard: an infinite number is D1001.
func checkFinite(f float64) *Error {
	if math.IsInf(f, 0) {
		return newErr("D1001", -1).withValue(f)
	}
	return nil
}

// isNumeric reports whether v is a (non-NaN) number, failing for infinities.
func isNumeric(v any) (bool, *Error) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		return false, nil
	}
	if err := checkFinite(f); err != nil {
		return false, err
	}
	return true, nil
}

// arrayOfNumbers is jsonata-js's isArrayOfNumbers. Like it (Array.filter),
// it looks at every item, so an infinite number fails (D1001) even after
// an item that is no number.
func arrayOfNumbers(xs []any) (bool, error) {
	all := true
	for _, x := range xs {
		ok, err := isNumeric(x)
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all, nil
}

func (c *evalCtx) evalArray(n *node, input any, e *env) (any, error) {
	out := &array{items: make([]any, 0, len(n.exprs)), cons: n.consarray}
	var par parallel
	par.start(c)
	for _, item := range n.exprs {
		v, ok, err := par.eval(c, item, input, e)
		if err != nil {
			return nil, err
		}
		if !ok || isUndef(v) {
			continue
		}
		if item.typ == nArray {
			out.items = append(out.items, v)
			continue
		}
		if a, ok := v.(*array); ok {
			if len(out.items) == 0 {
				// Share the items (capacity clipped, so a later append
				// copies): arrays are never changed in place.
				out.items = a.items[:len(a.items):len(a.items)]
				continue
			}
			out.items = append(out.items, a.items...)
		} else {
			out.items = append(out.items, v)
		}
	}
	if err := par.finish(c); err != nil {
		return nil, err
	}
	return out, nil
}

// literalObject is the fast path for an object constructor with distinct
// string-literal keys over a single input: the grouping machinery would
// make one group per key anyway.
func (c *evalCtx) literalObject(n *node, input any, e *env) (any, error) {
	c.vtime += uint32(len(n.pairs)) // the key evaluations (see parallel)
	result := newObject(len(n.pairs))
	var par parallel
	par.start(c)
	for _, pair := range n.pairs {
		v, ok, err := par.eval(c, pair[1], input, e)
		if err != nil {
			return nil, err
		}
		if ok && !isUndef(v) {
			result.set(pair[0].op, v)
		}
	}
	if err := par.finish(c); err != nil {
		return nil, err
	}
	return result, nil
}

// parallel models jsonata-js's Promise.all over the items of an array or
// object constructor: the items run concurrently, so when several fail,
// the error raised first in time wins. Time is the virtual clock vtime:
// one tick per evaluation entered, items starting together and the
// constructor ending with its slowest item.
type parallel struct {
	t0, end uint32
	err     error
	errAt   uint32
}

func (p *parallel) start(c *evalCtx) { p.t0, p.end = c.vtime, c.vtime }

// eval evaluates one item, starting with the others. ok is false when the
// item or an earlier one failed, so that its value is not used; err is an
// evaluation limit, which ends everything at once.
func (p *parallel) eval(c *evalCtx, n *node, input any, e *env) (v any, ok bool, err error) {
	c.vtime = p.t0
	v, err = c.eval(n, input, e)
	if err != nil {
		if p.fail(c, err) {
			return nil, false, err
		}
		return nil, false, nil
	}
	p.end = max(p.end, c.vtime)
	return v, p.err == nil, nil
}

// fail records an item's error; it returns true when the error must be
// returned at once (an evaluation limit, which ends everything).
func (p *parallel) fail(c *evalCtx, err error) bool {
	je, ok := err.(*Error)
	if !ok || je.IsLimit() {
		return true
	}
	if c.rivals != nil {
		*c.rivals = append(*c.rivals, *je)
	}
	if p.err == nil || je.tick < p.errAt {
		p.err, p.errAt = err, je.tick
	}
	return false
}

func (p *parallel) finish(c *evalCtx) error {
	if p.err != nil {
		c.vtime = p.errAt
		return p.err
	}
	c.vtime = p.end
	return nil
}

// lookupField is jsonata-js's lookup: a field of an object, or of each
// object in an array, flattened.
func lookupField(input any, key string) any {
	x, ok := input.(*array)
	if !ok {
		v, _ := objGet(input, key) // undefined for a missing field or no object
		return v
	}
	res := &array{seq: true}
	for _, item := range x.items {
		v := lookupField(item, key)
		if isUndef(v) {
			continue
		}
		if a, ok := v.(*array); ok {
			res.items = append(res.items, a.items...)
		} else {
			res.items = append(res.items, v)
		}
	}
	return res
}

// wildcard is the values of an object's fields, or an array's items,
// flattened.
func wildcard(input any) any {
	res := &array{seq: true}
	if a, ok := input.(*array); ok && a.outer && len(a.items) > 0 {
		input = a.items[0]
	}
	if a, ok := input.(*array); ok {
		// Object.keys of an array lists its elements.
		res.items = appendFlat(res.items, a)
		return res
	}
	for _, k := range objKeys(input) {
		v, _ := objGet(input, k)
		res.items = appendFlat(res.items, v)
	}
	return res
}

// appendFlat appends v to dst, or for an array the items of it and of the
// arrays inside it, at any depth (jsonata-js's flatten).
func appendFlat(dst []any, v any) []any {
	a, ok := v.(*array)
	if !ok {
		return append(dst, v)
	}
	for _, x := range a.items {
		dst = appendFlat(dst, x)
	}
	return dst
}

func descendants(input any) any {
	if isUndef(input) {
		return undefined
	}
	res := &array{seq: true}
	recurseDescendants(input, res)
	if len(res.items) == 1 {
		return res.items[0]
	}
	return res
}

func recurseDescendants(input any, res *array) {
	if a, ok := input.(*array); ok {
		for _, m := range a.items {
			recurseDescendants(m, res)
		}
		return
	}
	res.items = append(res.items, input)
	if isObject(input) {
		for _, k := range objKeys(input) {
			v, _ := objGet(input, k)
			recurseDescendants(v, res)
		}
	}
}
