package jsonpath

import (
	"slices"
)

// evaluator collects the matches of an indefinite path. Following Jayway, a
// step that does not apply (a field on an array, an index past the end, a
// missing field) contributes nothing instead of failing.
type evaluator struct {
	segs []segment
	root any // what "$" means in filters
	out  []any
}

// all returns every match of the path on start, never nil.
func (p *Path) all(start, root any) []any {
	e := evaluator{segs: p.segs, root: root, out: make([]any, 0, 4)}
	e.step(0, start)
	return e.out
}

// step applies segment i to cur and the rest of the path to each result.
func (e *evaluator) step(i int, cur any) {
	if i == len(e.segs) {
		e.out = append(e.out, cur)
		return
	}
	sg := &e.segs[i]
	switch sg.kind {
	case segField:
		if m, ok := cur.(map[string]any); ok {
			if v, ok := m[sg.name]; ok {
				e.step(i+1, v)
			}
		}
	case segFields:
		m, ok := cur.(map[string]any)
		if !ok {
			return
		}
		if i == len(e.segs)-1 {
			e.out = append(e.out, mergeFields(m, sg.names))
			return
		}
		for _, name := range sg.names {
			if v, ok := m[name]; ok {
				e.step(i+1, v)
			}
		}
	case segIndex:
		if a, ok := cur.([]any); ok {
			e.index(i, a, sg.index)
		}
	case segIndexes:
		if a, ok := cur.([]any); ok {
			for _, idx := range sg.indexes {
				e.index(i, a, idx)
			}
		}
	case segSlice:
		if a, ok := cur.([]any); ok {
			e.slice(i, a, sg)
		}
	case segWildcard:
		switch c := cur.(type) {
		case map[string]any:
			for _, k := range sortedKeys(c) {
				e.step(i+1, c[k])
			}
		case []any:
			for _, v := range c {
				e.step(i+1, v)
			}
		}
	case segFilter:
		switch c := cur.(type) {
		case map[string]any:
			// Jayway applies a filter on an object to the object itself.
			if sg.filter.accept(c, e.root) {
				e.step(i+1, c)
			}
		case []any:
			for _, v := range c {
				if sg.filter.accept(v, e.root) {
					e.step(i+1, v)
				}
			}
		}
	case segScan:
		e.walk(i+1, cur)
	}
}

// index handles one index the way Jayway's handleArrayIndex does: a negative
// index counts from the end, and one out of range is skipped.
func (e *evaluator) index(i int, a []any, idx int) {
	if idx < 0 {
		idx += len(a)
	}
	if idx >= 0 && idx < len(a) {
		e.step(i+1, a[idx])
	}
}

// slice follows Jayway's ArraySliceToken, including its quirks: with both
// ends given, the end is not adjusted for a negative value (so [1:-1] is
// empty) and each index is counted from the end when negative (so [-5:2] on
// three elements yields elements 0, 1, 2, 0, 1).
func (e *evaluator) slice(i int, a []any, sg *segment) {
	n := len(a)
	switch {
	case sg.hasFrom && !sg.hasTo:
		from := sg.from
		if from < 0 {
			from += n
		}
		from = max(from, 0)
		for j := from; j < n; j++ {
			e.step(i+1, a[j])
		}
	case !sg.hasFrom:
		if n == 0 {
			return
		}
		to := sg.to
		if to < 0 {
			to += n
		}
		to = min(to, n)
		for j := 0; j < to; j++ {
			e.step(i+1, a[j])
		}
	default:
		to := min(sg.to, n)
		for j := sg.from; j < to; j++ {
			e.index(i, a, j)
		}
	}
}

// walk is Jayway's ScanPathToken: it applies the target segment t at cur and
// at every value below it, parents before children, object members in
// sorted key order.
func (e *evaluator) walk(t int, cur any) {
	switch c := cur.(type) {
	case map[string]any:
		if e.scanMatches(t, c) {
			e.step(t, c)
		}
		for _, k := range sortedKeys(c) {
			e.walk(t, c[k])
		}
	case []any:
		if e.scanMatches(t, c) {
			if t == len(e.segs)-1 {
				e.step(t, c)
			} else {
				// Jayway applies the segment after the target to every
				// element here, skipping the target itself: $..[0].a
				// yields the a of every element of every array.
				for _, v := range c {
					e.step(t+1, v)
				}
			}
		}
		for _, v := range c {
			e.walk(t, v)
		}
	}
}

// scanMatches is Jayway's scan predicate: whether the target segment is
// tried at this value at all.
func (e *evaluator) scanMatches(t int, cur any) bool {
	sg := &e.segs[t]
	switch sg.kind {
	case segField:
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		_, ok = m[sg.name]
		return ok
	case segFields:
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if t != len(e.segs)-1 {
			return true
		}
		for _, name := range sg.names {
			if _, ok := m[name]; !ok {
				return false
			}
		}
		return true
	case segIndex, segIndexes, segSlice:
		_, ok := cur.([]any)
		return ok
	case segWildcard:
		return true
	case segFilter:
		return sg.filter.accept(cur, e.root)
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
