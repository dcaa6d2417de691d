package jsonata

import "sort"

// FreeVariables lists, sorted and without the $, the variables the
// expression reads but does not bind itself (by :=, as a lambda parameter,
// or with @ and # on a path): "states" for $states, workflow variables,
// and the functions it calls ("sum" for $sum; see FuncSet.Has). A name
// bound anywhere in the expression counts as bound everywhere, so the list
// may miss a variable read before it is bound.
func (e *Expr) FreeVariables() []string {
	bound := map[string]bool{"": true, "$": true}
	used := map[string]bool{}
	walk(e.root, func(n *node) {
		switch n.typ {
		case nVariable:
			used[n.op] = true
		case nBind:
			bound[n.lhs.op] = true
		case nLambda:
			for _, p := range n.params {
				bound[p] = true
			}
		}
		if n.focus != "" {
			bound[n.focus] = true
		}
		if n.index != "" {
			bound[n.index] = true
		}
		for _, st := range n.stages {
			if st.index != "" {
				bound[st.index] = true
			}
		}
	})
	var out []string
	for name := range used {
		if !bound[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// StatesFields lists, sorted, the fields of $states the expression reads
// directly ($states.input gives "input", $states.errorOutput gives
// "errorOutput"); a use of $states other than a field access gives "".
// The engine uses it to allow $states.errorOutput only in Catch and
// $states.result only where a result exists.
func (e *Expr) StatesFields() []string {
	seen := map[string]bool{}
	inPath := map[*node]bool{}
	walk(e.root, func(n *node) {
		if n.typ != nPath || len(n.steps) == 0 || n.steps[0].typ != nVariable || n.steps[0].op != "states" {
			return
		}
		inPath[n.steps[0]] = true
		if len(n.steps) > 1 && n.steps[1].typ == nName {
			seen[n.steps[1].op] = true
		} else {
			seen[""] = true
		}
	})
	walk(e.root, func(n *node) {
		if n.typ == nVariable && n.op == "states" && !inPath[n] {
			seen[""] = true
		}
	})
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the set holds a function of that name (without $).
func (fs *FuncSet) Has(name string) bool {
	_, ok := fs.funcs[name]
	return ok
}

// StandardFuncs is jsonata-js's standard library, $eval included.
var StandardFuncs = defaultFuncSet
