package jsonata

import (
	"strconv"
	"unicode/utf8"
)

// groupEntry collects the items that produced one key of a grouping.
type groupEntry struct {
	items     []any
	exprIndex int
}

// group evaluates an object constructor over its input: each item is
// grouped by each key expression, then each value expression is evaluated
// over its group (jsonata-js's evaluateGroupExpression).
func (c *evalCtx) group(g *groupSpec, input any, e *env) (any, error) {
	items, reduce := streamItems(input)
	if len(items) == 0 {
		items = []any{undefined}
	}
	keys := []string{}
	groups := map[string]*groupEntry{}
	for _, item := range items {
		ctx, env := item, e
		if t, ok := item.(*tuple); ok {
			ctx, env = t.ctx, tupleEnv(e, t)
		}
		for pi, pair := range g.pairs {
			key, err := c.eval(pair[0], ctx, env)
			if err != nil {
				return nil, err
			}
			if isUndef(key) {
				continue
			}
			ks, ok := key.(string)
			if !ok {
				return nil, newErr("T1003", g.pos).withValue(key)
			}
			if ge, ok := groups[ks]; ok {
				if ge.exprIndex != pi {
					return nil, newErr("D1009", g.pos).withValue(ks)
				}
				ge.items = append(ge.items, item)
				continue
			}
			groups[ks] = &groupEntry{items: []any{item}, exprIndex: pi}
			keys = insertKey(keys, ks)
		}
	}
	result := newObject(len(keys))
	var par parallel
	par.start(c)
	for _, k := range keys {
		ge := groups[k]
		ctx, env := c.groupContext(ge, reduce, e)
		v, ok, err := par.eval(c, g.pairs[ge.exprIndex][1], ctx, env)
		if err != nil {
			return nil, err
		}
		if ok && !isUndef(v) {
			result.set(k, v)
		}
	}
	if err := par.finish(c); err != nil {
		return nil, err
	}
	return result, nil
}

// streamItems lists the items of a sequence, or the tuples of a tuple
// stream (isTuples).
func streamItems(input any) (items []any, isTuples bool) {
	ts, isTuples := input.(*tupleStream)
	if !isTuples {
		return asArray(input).items, false
	}
	items = make([]any, len(ts.items))
	for i, t := range ts.items {
		items[i] = t
	}
	return items, true
}

// groupContext is the context a group's value expression sees: the single
// item, or the items appended together; for tuples, the tuples' bindings
// merged into one frame.
func (c *evalCtx) groupContext(ge *groupEntry, reduce bool, e *env) (any, *env) {
	if !reduce {
		var data any = ge.items[0]
		for _, it := range ge.items[1:] {
			data = appendJS(data, it)
		}
		return data, e
	}
	merged := ge.items[0].(*tuple).clone()
	var ctx any = merged.ctx
	for _, it := range ge.items[1:] {
		t := it.(*tuple)
		ctx = appendJS(ctx, t.ctx)
		for i, name := range t.names {
			old, ok := merged.get(name)
			if !ok {
				old = undefined
			}
			merged.bind(name, appendJS(old, t.vals[i]))
		}
	}
	// merged is this group's own copy: the frame may take its bindings.
	return ctx, &env{parent: e, vars: merged.vars}
}

// appendJS is jsonata-js's fn.append: undefined is the identity, and the
// result of joining two values is a plain (non-sequence) array.
func appendJS(a, b any) any {
	if isUndef(a) {
		return b
	}
	if isUndef(b) {
		return a
	}
	out := &array{}
	if x, ok := a.(*array); ok {
		out.items = append(out.items, x.items...)
	} else {
		out.items = append(out.items, a)
	}
	if y, ok := b.(*array); ok {
		out.items = append(out.items, y.items...)
	} else {
		out.items = append(out.items, b)
	}
	return out
}

// arrayIndexKey reports whether k is a canonical array index ("0", "17"),
// which JavaScript objects list first, in numeric order.
func arrayIndexKey(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= 4294967295 {
		return 0, false
	}
	return uint32(n), true
}

// insertKey adds a new key in JavaScript property order: array-index keys
// first in ascending order, the rest in insertion order.
func insertKey(keys []string, k string) []string {
	n, ok := arrayIndexKey(k)
	if !ok {
		return append(keys, k)
	}
	i := 0
	for ; i < len(keys); i++ {
		m, isIdx := arrayIndexKey(keys[i])
		if !isIdx || m > n {
			break
		}
	}
	keys = append(keys, "")
	copy(keys[i+1:], keys[i:])
	keys[i] = k
	return keys
}

// sortStep is the order-by (^) operator over a sequence or tuple stream.
func (c *evalCtx) sortStep(s *node, input any, e *env) (any, error) {
	items, isTuples := streamItems(input)
	comp := func(a, b any) (bool, error) { return c.orderCompare(s, a, b, e) }
	if len(items) <= 1 {
		return input, nil
	}
	sorted, err := mergeSort(items, comp)
	if err != nil {
		return nil, err
	}
	if isTuples {
		out := &tupleStream{items: make([]*tuple, len(sorted))}
		for i, t := range sorted {
			out.items[i] = t.(*tuple)
		}
		return out, nil
	}
	return &array{items: sorted}, nil
}

func (c *evalCtx) termValue(term sortTerm, item any, e *env) (any, error) {
	if t, ok := item.(*tuple); ok {
		return c.eval(term.expr, t.ctx, tupleEnv(e, t))
	}
	return c.eval(term.expr, item, e)
}

// orderCompare reports whether a sorts after b under the order-by terms.
func (c *evalCtx) orderCompare(s *node, a, b any, e *env) (bool, error) {
	comp := 0
	for i := 0; comp == 0 && i < len(s.terms); i++ {
		term := s.terms[i]
		aa, err := c.termValue(term, a, e)
		if err != nil {
			return false, err
		}
		bb, err := c.termValue(term, b, e)
		if err != nil {
			return false, err
		}
		if isUndef(aa) {
			if !isUndef(bb) {
				comp = 1
			}
			continue
		}
		if isUndef(bb) {
			comp = -1
			continue
		}
		if !isStrOrNum(aa) || !isStrOrNum(bb) {
			bad := aa
			if isStrOrNum(aa) {
				bad = bb
			}
			return false, newErr("T2008", s.pos).withValue(bad)
		}
		r, same := compareValues(aa, bb)
		if !same {
			err := newErr("T2007", s.pos).withValue(aa)
			err.Value2 = bb
			return false, err
		}
		if r == 0 {
			continue
		}
		comp = r
		if term.descending {
			comp = -comp
		}
	}
	return comp == 1, nil
}

func isStrOrNum(v any) bool {
	switch v.(type) {
	case string, float64:
		return true
	}
	return false
}

// compareValues orders two strings or two numbers as JavaScript's < does;
// same is false when their types differ.
func compareValues(a, b any) (r int, same bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return compareUTF16(x, y), true
	}
	return 0, false
}

// compareUTF16 compares strings by UTF-16 code units, as JavaScript does.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := utf16First(ra), utf16First(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// utf16First is the first UTF-16 code unit of r.
func utf16First(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + ((r - 0x10000) >> 10)
	}
	return r
}

// mergeSort is jsonata-js's stable merge sort; swap(a, b) reports whether
// b must come before a.
func mergeSort(items []any, swap func(a, b any) (bool, error)) ([]any, error) {
	if len(items) <= 1 {
		return items, nil
	}
	mid := len(items) / 2
	left, err := mergeSort(append([]any(nil), items[:mid]...), swap)
	if err != nil {
		return nil, err
	}
	right, err := mergeSort(append([]any(nil), items[mid:]...), swap)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(items))
	for len(left) > 0 && len(right) > 0 {
		s, err := swap(left[0], right[0])
		if err != nil {
			return nil, err
		}
		if s {
			out = append(out, right[0])
			right = right[1:]
		} else {
			out = append(out, left[0])
			left = left[1:]
		}
	}
	out = append(out, left...)
	return append(out, right...), nil
}
