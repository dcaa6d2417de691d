package jsonata

import "math"

// tupleStream is a sequence of tuples, used where a path binds focus (@),
// index (#) or parent (%) variables.
type tupleStream struct {
	items []*tuple
}

// evalPath evaluates a location path step by step, as jsonata-js's
// evaluatePath does.
func (c *evalCtx) evalPath(n *node, input any, e *env) (any, error) {
	if n.simple {
		t0 := c.vtime
		if v, ok := c.simplePath(n, input, e); ok {
			return v, nil
		}
		c.vtime = t0
	}
	var inSeq any
	if a, ok := input.(*array); ok && n.steps[0].typ != nVariable {
		inSeq = a
	} else {
		inSeq = newSeq(input)
	}
	var result any = undefined
	var tuples *tupleStream
	isTuple := false
	last := len(n.steps) - 1
	for i, step := range n.steps {
		if step.tuple {
			isTuple = true
		}
		var err error
		switch {
		case i == 0 && step.consarray:
			result, err = c.eval(step, inSeq, e)
		case isTuple:
			tuples, err = c.tupleStep(step, inSeq, tuples, e)
		default:
			result, err = c.step(step, asArray(inSeq), e, i == last)
		}
		if err != nil {
			return nil, err
		}
		if !isTuple && (isUndef(result) || seqLen(result) == 0) {
			break
		}
		if step.focus == "" {
			inSeq = result
		}
	}
	if isTuple {
		if n.tuple {
			result = tuples
		} else {
			out := &array{seq: true, items: make([]any, 0, len(tuples.items))}
			for _, t := range tuples.items {
				out.items = append(out.items, t.ctx)
			}
			result = out
		}
	}
	if n.keepSingletonArray {
		a, ok := result.(*array)
		if ok && a.cons && !a.seq {
			a = newSeq(a)
		}
		if ok {
			a.keepSingleton = true
			result = a
		}
	}
	if n.group != nil {
		src := result
		if isTuple {
			src = tuples
		}
		return c.group(n.group, src, e)
	}
	return result, nil
}

// simplePath is the fast path for a path of plain field names (after an
// optional variable) over objects: no sequence is built. It gives up
// (ok false) as soon as an array is met, where mapping and flattening
// need the general path.
func (c *evalCtx) simplePath(n *node, input any, e *env) (any, bool) {
	var v any
	first := n.steps[0]
	// Keep the virtual clock as the general path would (one tick a step).
	c.vtime++
	if first.typ == nVariable {
		v = c.evalVariable(first, input, e)
	} else {
		if !isObject(input) {
			return nil, false
		}
		v, _ = objGet(input, first.op)
	}
	for _, s := range n.steps[1:] {
		if isUndef(v) {
			return undefined, true
		}
		c.vtime++
		if !isObject(v) {
			if _, isArr := v.(*array); isArr {
				return nil, false
			}
			return undefined, true
		}
		v, _ = objGet(v, s.op)
	}
	if a, ok := v.(*array); ok && (a.seq || len(n.steps) == 1 && first.typ == nVariable) {
		return nil, false
	}
	return v, true
}

// markSimple flags paths that simplePath can evaluate and object
// constructors that literalObject can.
func markSimple(n *node) {
	if n.typ == nObject {
		seen := map[string]bool{}
		for _, p := range n.pairs {
			if p[0].typ != nString || seen[p[0].op] || p[0].group != nil || len(p[0].predicate) > 0 || p[0].keepArray {
				return
			}
			seen[p[0].op] = true
		}
		n.simple = n.group == nil && len(n.predicate) == 0
		return
	}
	if n.typ != nPath || n.keepSingletonArray || n.group != nil || n.tuple || len(n.predicate) > 0 {
		return
	}
	for i, s := range n.steps {
		if !(s.typ == nName || (i == 0 && s.typ == nVariable && s.op != "")) {
			return
		}
		if len(s.stages) > 0 || len(s.predicate) > 0 || s.group != nil || s.keepArray || s.tuple ||
			s.focus != "" || s.index != "" || s.ancestor != nil || s.consarray {
			return
		}
	}
	n.simple = true
}

// listOf is the items of an array, or v alone.
func listOf(v any) []any {
	if a, ok := v.(*array); ok {
		return a.items
	}
	return []any{v}
}

// wrapInput is how jsonata-js takes an input array (not a sequence): in a
// singleton sequence, so that it is treated as one value.
func wrapInput(v any) any {
	if a, ok := v.(*array); ok && !a.seq {
		return &array{items: []any{a}, seq: true, outer: true}
	}
	return v
}

// asArray views a value as an array (a singleton sequence for a
// non-array).
func asArray(v any) *array {
	if a, ok := v.(*array); ok {
		return a
	}
	return newSeq(v)
}

func seqLen(v any) int {
	switch x := v.(type) {
	case *array:
		return len(x.items)
	case *tupleStream:
		return len(x.items)
	}
	return 1
}

// step evaluates one path step over each item of the input sequence and
// flattens the results.
func (c *evalCtx) step(s *node, input *array, e *env, lastStep bool) (any, error) {
	if s.typ == nSort {
		res, err := c.sortStep(s, input, e)
		if err != nil {
			return nil, err
		}
		return c.stages(s.stages, res, e)
	}
	results := make([]any, 0, len(input.items))
	for _, item := range input.items {
		res, err := c.eval(s, item, e)
		if err != nil {
			return nil, err
		}
		for _, st := range s.stages {
			if res, err = c.filter(st.filter, res, e); err != nil {
				return nil, err
			}
		}
		if !isUndef(res) {
			results = append(results, res)
		}
	}
	if lastStep && len(results) == 1 {
		if a, ok := results[0].(*array); ok && !a.seq {
			return a, nil
		}
	}
	out := &array{seq: true, items: make([]any, 0, len(results))}
	for _, r := range results {
		if a, ok := r.(*array); ok && !a.cons {
			out.items = append(out.items, a.items...)
		} else {
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

// stages applies a step's filter and index stages.
func (c *evalCtx) stages(stages []*stage, input any, e *env) (any, error) {
	res := input
	for _, st := range stages {
		if st.filter != nil {
			var err error
			if res, err = c.filter(st.filter, res, e); err != nil {
				return nil, err
			}
			continue
		}
		if ts, ok := res.(*tupleStream); ok {
			for i, t := range ts.items {
				t.bind(st.index, float64(i))
			}
		}
	}
	return res, nil
}

func tupleEnv(parent *env, t *tuple) *env {
	f := &env{parent: parent, vars: vars{names: make([]string, 0, len(t.names)+1), vals: make([]any, 0, len(t.names)+1)}}
	f.names = append(f.names, "@")
	f.vals = append(f.vals, t.ctx)
	f.names = append(f.names, t.names...)
	f.vals = append(f.vals, t.vals...)
	return f
}

// tupleStep is evaluateTupleStep: a step in a path that carries variable
// bindings along with each item.
func (c *evalCtx) tupleStep(s *node, input any, tuples *tupleStream, e *env) (*tupleStream, error) {
	if s.typ == nSort {
		return c.tupleSort(s, input, tuples, e)
	}
	if tuples == nil {
		tuples = &tupleStream{}
		for _, item := range asArray(input).items {
			tuples.items = append(tuples.items, &tuple{ctx: item})
		}
	}
	out := &tupleStream{}
	for _, t := range tuples.items {
		res, err := c.eval(s, t.ctx, tupleEnv(e, t))
		if err != nil {
			return nil, err
		}
		if isUndef(res) {
			continue
		}
		if ts, ok := res.(*tupleStream); ok {
			for _, rt := range ts.items {
				nt := t.clone()
				nt.ctx = rt.ctx
				for i, name := range rt.names {
					nt.bind(name, rt.vals[i])
				}
				out.items = append(out.items, nt)
			}
			continue
		}
		for bb, v := range listOf(res) {
			nt := t.clone()
			if s.focus != "" {
				nt.bind(s.focus, v)
			} else {
				nt.ctx = v
			}
			if s.index != "" {
				nt.bind(s.index, float64(bb))
			}
			if s.ancestor != nil {
				nt.bind(s.ancestor.label, t.ctx)
			}
			out.items = append(out.items, nt)
		}
	}
	res, err := c.stages(s.stages, out, e)
	if err != nil {
		return nil, err
	}
	return res.(*tupleStream), nil
}

func (c *evalCtx) tupleSort(s *node, input any, tuples *tupleStream, e *env) (*tupleStream, error) {
	var res any
	if tuples != nil {
		sorted, err := c.sortStep(s, tuples, e)
		if err != nil {
			return nil, err
		}
		res = sorted
	} else {
		sorted, err := c.sortStep(s, asArray(input), e)
		if err != nil {
			return nil, err
		}
		ts := &tupleStream{}
		for i, v := range asArray(sorted).items {
			t := &tuple{ctx: v}
			if s.index != "" {
				t.bind(s.index, float64(i))
			}
			ts.items = append(ts.items, t)
		}
		res = ts
	}
	out, err := c.stages(s.stages, res, e)
	if err != nil {
		return nil, err
	}
	if ts, ok := out.(*tupleStream); ok {
		return ts, nil
	}
	return &tupleStream{}, nil
}

// filter applies a predicate: a number selects by index, anything else is a
// boolean test on each item.
func (c *evalCtx) filter(pred *node, input any, e *env) (any, error) {
	if ts, ok := input.(*tupleStream); ok {
		return c.filterTuples(pred, ts, e)
	}
	in := asArray(input)
	if _, isArr := input.(*array); !isArr && isUndef(input) {
		in = newSeq(input)
	}
	res := &array{seq: true}
	if pred.typ == nNumber {
		idx := itemIndex(pred.num, len(in.items))
		if idx >= 0 && idx < len(in.items) {
			item := in.items[idx]
			if isUndef(item) {
				return res, nil
			}
			if a, ok := item.(*array); ok {
				return a, nil
			}
			res.items = append(res.items, item)
		}
		return res, nil
	}
	for i, item := range in.items {
		k, err := c.predicateMatches(pred, item, e, i, len(in.items))
		if err != nil {
			return nil, err
		}
		for ; k > 0; k-- {
			res.items = append(res.items, item)
		}
	}
	return res, nil
}

func (c *evalCtx) filterTuples(pred *node, ts *tupleStream, e *env) (any, error) {
	out := &tupleStream{}
	if pred.typ == nNumber {
		idx := itemIndex(pred.num, len(ts.items))
		if idx >= 0 && idx < len(ts.items) {
			out.items = append(out.items, ts.items[idx])
		}
		return out, nil
	}
	for i, t := range ts.items {
		k, err := c.predicateMatches(pred, t.ctx, tupleEnv(e, t), i, len(ts.items))
		if err != nil {
			return nil, err
		}
		for ; k > 0; k-- {
			out.items = append(out.items, t)
		}
	}
	return out, nil
}

// predicateMatches evaluates a predicate for the item at index and says how
// many times the item is selected: numeric results select positions (once
// per matching number), others are tested for truth.
func (c *evalCtx) predicateMatches(pred *node, item any, e *env, index, n int) (int, error) {
	res, err := c.eval(pred, item, e)
	if err != nil {
		return 0, err
	}
	if ok, err := isNumeric(res); err != nil {
		return 0, err
	} else if ok {
		res = newSeq(res)
	}
	if a, ok := res.(*array); ok {
		allNum, err := arrayOfNumbers(a.items)
		if err != nil {
			return 0, err
		}
		if allNum {
			k := 0
			for _, x := range a.items {
				if itemIndex(x.(float64), n) == index {
					k++
				}
			}
			return k, nil
		}
	}
	t, err := truthy(res)
	if t {
		return 1, err
	}
	return 0, err
}

// itemIndex is the index a number selects among n items: floored, and
// counted from the end when negative.
func itemIndex(f float64, n int) int {
	i := int(math.Floor(f))
	if i < 0 {
		i += n
	}
	return i
}
