package jsonata

// walk calls f on every node of the tree, parents first.
func walk(n *node, f func(*node)) {
	if n == nil {
		return
	}
	f(n)
	for _, x := range []*node{n.lhs, n.rhs, n.proc, n.body, n.cond, n.then, n.els, n.pattern, n.update, n.del} {
		walk(x, f)
	}
	for _, x := range n.exprs {
		walk(x, f)
	}
	for _, p := range n.pairs {
		walk(p[0], f)
		walk(p[1], f)
	}
	for _, t := range n.terms {
		walk(t.expr, f)
	}
	for _, s := range n.steps {
		walk(s, f)
	}
	for _, st := range n.stages {
		walk(st.filter, f)
	}
	for _, st := range n.predicate {
		walk(st.filter, f)
	}
	if n.group != nil {
		for _, p := range n.group.pairs {
			walk(p[0], f)
			walk(p[1], f)
		}
	}
}
