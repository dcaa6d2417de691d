package jsonata

import "strconv"

// ancestry tracks the parent-operator (%) slots while post-processing.
type ancestry struct {
	label int
	index int
	slots []*node // parent nodes, by slot index
}

// process is the post-parse stage: it flattens '.' chains into paths of
// steps, attaches predicates, grouping, sorting and focus/index bindings to
// steps, resolves parent references and marks tail calls, as jsonata-js's
// processAST does.
func (p *parser) process(expr *node) *node {
	var result *node
	switch expr.typ {
	case nRawBinary:
		result = p.processBinary(expr)
	case nUnaryMinus:
		result = p.processUnaryMinus(expr)
	case nArray, nObject, nFunction, nPartial, nLambda, nCondition, nTransform, nBlock:
		result = p.processCompound(expr)
	case nName:
		result = asPath(expr)
		if expr.keepArray {
			result.keepSingletonArray = true
		}
	case nParent:
		result = &node{typ: nParent, pos: expr.pos}
		result.slot = &slot{label: "!" + strconv.Itoa(p.anc.label), level: 1, index: p.anc.index}
		p.anc.label++
		p.anc.index++
		p.anc.slots = append(p.anc.slots, result)
	case nString, nNumber, nValue, nWildcard, nDescendant, nVariable, nRegex:
		result = expr
	case nRawOperator:
		switch expr.op {
		case "and", "or", "in":
			expr.typ = nName
			result = p.process(expr)
		case "(end)":
			p.throw(newErr("S0207", expr.pos).withToken("(end)"))
		default:
			p.throw(newErr("S0201", expr.pos).withToken(expr.op))
		}
	case nPlaceholder:
		result = expr
	default:
		p.throw(newErr("S0206", expr.pos).withToken(expr.op))
	}
	if expr.keepArray {
		result.keepArray = true
	}
	return result
}

// processCompound post-processes constructors, calls, lambdas,
// conditions, transforms and blocks: their parts, and the parent slots
// those parts seek.
func (p *parser) processCompound(expr *node) *node {
	var result *node
	switch expr.typ {
	case nArray:
		result = &node{typ: nArray, pos: expr.pos, op: "["}
		for _, item := range expr.exprs {
			v := p.process(item)
			pushAncestry(result, v)
			result.exprs = append(result.exprs, v)
		}
	case nObject:
		result = &node{typ: nObject, pos: expr.pos, op: "{"}
		for _, pair := range expr.pairs {
			k := p.process(pair[0])
			pushAncestry(result, k)
			v := p.process(pair[1])
			pushAncestry(result, v)
			result.pairs = append(result.pairs, [2]*node{k, v})
		}
	case nFunction, nPartial:
		result = &node{typ: expr.typ, pos: expr.pos, op: expr.op}
		for _, a := range expr.exprs {
			pa := p.process(a)
			pushAncestry(result, pa)
			result.exprs = append(result.exprs, pa)
		}
		result.proc = p.process(expr.proc)
	case nLambda:
		result = &node{typ: nLambda, pos: expr.pos, params: expr.params, sig: expr.sig}
		result.body = tailCallOptimize(p.process(expr.body))
	case nCondition:
		result = &node{typ: nCondition, pos: expr.pos}
		result.cond = p.process(expr.cond)
		pushAncestry(result, result.cond)
		result.then = p.process(expr.then)
		pushAncestry(result, result.then)
		if expr.els != nil {
			result.els = p.process(expr.els)
			pushAncestry(result, result.els)
		}
	case nTransform:
		result = &node{typ: nTransform, pos: expr.pos}
		result.pattern = p.process(expr.pattern)
		result.update = p.process(expr.update)
		if expr.del != nil {
			result.del = p.process(expr.del)
		}
	case nBlock:
		result = &node{typ: nBlock, pos: expr.pos}
		for _, item := range expr.exprs {
			part := p.process(item)
			pushAncestry(result, part)
			if part.consarray || (part.typ == nPath && part.steps[0].consarray) {
				result.consarray = true
			}
			result.exprs = append(result.exprs, part)
		}
	}
	return result
}

func (p *parser) processUnaryMinus(expr *node) *node {
	inner := p.process(expr.lhs)
	if inner.typ == nNumber {
		inner.num = -inner.num
		return inner
	}
	result := &node{typ: nUnaryMinus, pos: expr.pos, op: "-", lhs: inner}
	pushAncestry(result, inner)
	return result
}

func (p *parser) processBinary(expr *node) *node {
	switch expr.op {
	case ".":
		return p.processDot(expr)
	case "[":
		return p.processFilter(expr)
	case "{":
		return p.processGroup(expr)
	case "^":
		return p.processSort(expr)
	case "@":
		return p.processFocus(expr)
	case "#":
		return p.processIndex(expr)
	}
	return p.processOperator(expr)
}

// processOperator post-processes an operator that keeps its two operands:
// :=, ~>, and the arithmetic, comparison, boolean, string, range and
// inclusion operators.
func (p *parser) processOperator(expr *node) *node {
	r := &node{typ: nBinary, pos: expr.pos, op: expr.op}
	r.lhs = p.process(expr.lhs)
	r.rhs = p.process(expr.rhs)
	switch expr.op {
	case ":=":
		r.typ = nBind
		pushAncestry(r, r.rhs)
	case "~>":
		r.typ = nApply
		r.keepArray = r.lhs.keepArray || r.rhs.keepArray
	default:
		pushAncestry(r, r.lhs)
		pushAncestry(r, r.rhs)
	}
	return r
}

func (p *parser) processDot(expr *node) *node {
	lstep := p.process(expr.lhs)
	result := asPath(lstep)
	if lstep.typ == nParent {
		result.seekingParent = []*slot{lstep.slot}
	}
	rest := p.process(expr.rhs)
	if rest.typ == nPath {
		result.steps = append(result.steps, rest.steps...)
	} else {
		if rest.predicate != nil {
			rest.stages = rest.predicate
			rest.predicate = nil
		}
		result.steps = append(result.steps, rest)
	}
	for _, step := range result.steps {
		switch step.typ {
		case nNumber:
			p.throw(newErr("S0213", step.pos).withValue(step.num))
		case nValue:
			p.throw(newErr("S0213", step.pos).withValue(step.val))
		case nString:
			step.typ = nName
		}
	}
	for _, step := range result.steps {
		if step.keepArray {
			result.keepSingletonArray = true
		}
	}
	if first := result.steps[0]; first.typ == nArray {
		first.consarray = true
	}
	if last := result.steps[len(result.steps)-1]; last.typ == nArray {
		last.consarray = true
	}
	p.resolveAncestry(result)
	return result
}

func (p *parser) processFilter(expr *node) *node {
	result := p.process(expr.lhs)
	step, isPath := lastStep(result)
	if step.group != nil {
		p.throw(newErr("S0209", expr.pos))
	}
	pred := p.process(expr.rhs)
	if pred.seekingParent != nil {
		for _, s := range pred.seekingParent {
			if s.level == 1 {
				p.seekParent(step, s)
			} else {
				s.level--
			}
		}
		pushAncestry(step, pred)
	}
	st := &stage{filter: pred, pos: expr.pos}
	if isPath {
		step.stages = append(step.stages, st)
	} else {
		step.predicate = append(step.predicate, st)
	}
	return result
}

func (p *parser) processGroup(expr *node) *node {
	result := p.process(expr.lhs)
	if result.group != nil {
		p.throw(newErr("S0210", expr.pos))
	}
	g := &groupSpec{pos: expr.pos}
	for _, pair := range expr.pairs {
		g.pairs = append(g.pairs, [2]*node{p.process(pair[0]), p.process(pair[1])})
	}
	result.group = g
	return result
}

func (p *parser) processSort(expr *node) *node {
	result := asPath(p.process(expr.lhs))
	sortStep := &node{typ: nSort, pos: expr.pos}
	for _, t := range expr.terms {
		e := p.process(t.expr)
		pushAncestry(sortStep, e)
		sortStep.terms = append(sortStep.terms, sortTerm{descending: t.descending, expr: e})
	}
	result.steps = append(result.steps, sortStep)
	p.resolveAncestry(result)
	return result
}

func (p *parser) processFocus(expr *node) *node {
	result := p.process(expr.lhs)
	step, _ := lastStep(result)
	if step.stages != nil || step.predicate != nil {
		p.throw(newErr("S0215", expr.pos))
	}
	if step.typ == nSort {
		p.throw(newErr("S0216", expr.pos))
	}
	if expr.keepArray {
		step.keepArray = true
	}
	step.focus = expr.rhs.op
	step.tuple = true
	return result
}

func (p *parser) processIndex(expr *node) *node {
	result := p.process(expr.lhs)
	step, isPath := lastStep(result)
	if !isPath {
		result = asPath(result)
		if step.predicate != nil {
			step.stages = step.predicate
			step.predicate = nil
		}
	}
	if step.stages == nil {
		step.index = expr.rhs.op
	} else {
		step.stages = append(step.stages, &stage{index: expr.rhs.op, pos: expr.pos})
	}
	step.tuple = true
	return result
}

// asPath is n as a path: n itself, or a path of the one step n.
func asPath(n *node) *node {
	if n.typ == nPath {
		return n
	}
	return &node{typ: nPath, steps: []*node{n}, pos: n.pos}
}

// lastStep is the step that a predicate, focus or index binding after n
// attaches to: n's last step when n is a path, else n itself.
func lastStep(n *node) (step *node, isPath bool) {
	if n.typ == nPath {
		return n.steps[len(n.steps)-1], true
	}
	return n, false
}

// tailCallOptimize wraps a call in tail position in a thunk lambda, which
// the trampoline in apply unwraps, so tail recursion does not nest.
func tailCallOptimize(expr *node) *node {
	switch {
	case expr.typ == nFunction && expr.predicate == nil:
		return &node{typ: nLambda, thunk: true, pos: expr.pos, body: expr}
	case expr.typ == nCondition:
		expr.then = tailCallOptimize(expr.then)
		if expr.els != nil {
			expr.els = tailCallOptimize(expr.els)
		}
	case expr.typ == nBlock:
		if n := len(expr.exprs); n > 0 {
			expr.exprs[n-1] = tailCallOptimize(expr.exprs[n-1])
		}
	}
	return expr
}

func (p *parser) seekParent(n *node, s *slot) *slot {
	switch n.typ {
	case nName, nWildcard:
		s.level--
		if s.level == 0 {
			if n.ancestor != nil {
				p.anc.slots[s.index].slot.label = n.ancestor.label
			}
			n.ancestor = s
			n.tuple = true
		}
	case nParent:
		s.level++
	case nBlock:
		if len(n.exprs) > 0 {
			n.tuple = true
			s = p.seekParent(n.exprs[len(n.exprs)-1], s)
		}
	case nPath:
		n.tuple = true
		i := len(n.steps) - 1
		s = p.seekParent(n.steps[i], s)
		i--
		for s.level > 0 && i >= 0 {
			s = p.seekParent(n.steps[i], s)
			i--
		}
	default:
		p.throw(newErr("S0217", n.pos).withToken(typeName(n)))
	}
	return s
}

func pushAncestry(result, value *node) {
	if value.seekingParent == nil && value.typ != nParent {
		return
	}
	slots := value.seekingParent
	if value.typ == nParent {
		slots = append(slots, value.slot)
	}
	result.seekingParent = append(result.seekingParent, slots...)
}

func (p *parser) resolveAncestry(path *node) {
	last := path.steps[len(path.steps)-1]
	slots := last.seekingParent
	if last.typ == nParent {
		slots = append(slots, last.slot)
	}
	for _, s := range slots {
		index := len(path.steps) - 2
		for s.level > 0 {
			if index < 0 {
				path.seekingParent = append(path.seekingParent, s)
				break
			}
			step := path.steps[index]
			index--
			for index >= 0 && step.focus != "" && path.steps[index].focus != "" {
				step = path.steps[index]
				index--
			}
			s = p.seekParent(step, s)
		}
	}
}
