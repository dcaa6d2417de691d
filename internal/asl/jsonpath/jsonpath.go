// Package jsonpath compiles and evaluates the JSONPath subset that the Amazon
// States Language allows. Paths are compiled once, when a definition is
// loaded, and evaluated against values in the form package value describes.
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled JSONPath expression.
type Path struct {
	src      string
	context  bool // the source began with "$$": evaluate against the context object
	segs     []segment
	definite bool
}

type segKind uint8

const (
	segField segKind = iota
	segIndex
)

type segment struct {
	kind  segKind
	name  string
	index int
}

// Compile parses a path. It must start with "$" (the input) or "$$" (the
// context object); Get is then given the matching root.
func Compile(src string) (*Path, error) {
	p := &Path{src: src, definite: true}
	s := src
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("%q: a path must start with '$'", src)
	}
	s = s[1:]
	if strings.HasPrefix(s, "$") {
		p.context = true
		s = s[1:]
	}
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
			n := 0
			for n < len(s) && s[n] != '.' && s[n] != '[' {
				n++
			}
			if n == 0 {
				return nil, fmt.Errorf("%q: empty field name", src)
			}
			p.segs = append(p.segs, segment{kind: segField, name: s[:n]})
			s = s[n:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("%q: missing ']'", src)
			}
			inner := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				p.segs = append(p.segs, segment{kind: segField, name: inner[1 : len(inner)-1]})
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil {
				return nil, fmt.Errorf("%q: unsupported subscript [%s]", src, inner)
			}
			p.segs = append(p.segs, segment{kind: segIndex, index: i})
		default:
			return nil, fmt.Errorf("%q: unexpected %q", src, s[0])
		}
	}
	return p, nil
}

// MustCompile is Compile for paths known to be valid; it panics otherwise.
func MustCompile(src string) *Path {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the source text.
func (p *Path) String() string { return p.src }

// IsContext reports whether the path refers to the context object ("$$...").
func (p *Path) IsContext() bool { return p.context }

// Definite reports whether the path names at most one value (no wildcard,
// slice, filter, union or recursive descent). Get returns that value itself
// for a definite path and a list of matches otherwise.
func (p *Path) Definite() bool { return p.definite }

// IsRoot reports whether the path is "$" (or "$$") with nothing after it.
func (p *Path) IsRoot() bool { return len(p.segs) == 0 }

// Normalized renders the path in bracket notation, $['a'][0], the form Step
// Functions prints in "No results for path" errors.
func (p *Path) Normalized() string {
	var b strings.Builder
	b.WriteString("$")
	for _, sg := range p.segs {
		switch sg.kind {
		case segField:
			b.WriteString("['")
			b.WriteString(sg.name)
			b.WriteString("']")
		case segIndex:
			b.WriteString("[")
			b.WriteString(strconv.Itoa(sg.index))
			b.WriteString("]")
		}
	}
	return b.String()
}

// NotFoundError says a definite path matched nothing.
type NotFoundError struct {
	Path *Path
}

func (e *NotFoundError) Error() string {
	return "No results for path: " + e.Path.Normalized()
}

// Get evaluates the path on root. A definite path returns the value it names
// or a *NotFoundError; an indefinite path returns a []any of every match,
// possibly empty.
func (p *Path) Get(root any) (any, error) {
	cur := root
	for _, sg := range p.segs {
		switch sg.kind {
		case segField:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, &NotFoundError{Path: p}
			}
			v, ok := m[sg.name]
			if !ok {
				return nil, &NotFoundError{Path: p}
			}
			cur = v
		case segIndex:
			a, ok := cur.([]any)
			if !ok {
				return nil, &NotFoundError{Path: p}
			}
			i := sg.index
			if i < 0 {
				i += len(a)
			}
			if i < 0 || i >= len(a) {
				return nil, &NotFoundError{Path: p}
			}
			cur = a[i]
		}
	}
	return cur, nil
}

// Set returns a copy of root with val placed at the path, creating objects for
// missing fields. Only the maps and slices along the path are copied; root
// itself is never changed. The path must be definite. Setting "$" returns val.
func (p *Path) Set(root, val any) (any, error) {
	if !p.definite {
		return nil, fmt.Errorf("%s: a reference path cannot use wildcards, slices or filters", p.src)
	}
	return p.set(root, 0, val)
}

func (p *Path) set(cur any, i int, val any) (any, error) {
	if i == len(p.segs) {
		return val, nil
	}
	sg := p.segs[i]
	switch sg.kind {
	case segField:
		var m map[string]any
		switch c := cur.(type) {
		case map[string]any:
			m = make(map[string]any, len(c)+1)
			for k, v := range c {
				m[k] = v
			}
		case nil:
			m = make(map[string]any, 1)
		default:
			return nil, fmt.Errorf("cannot set field '%s': the value at %s is not an object", sg.name, p.prefix(i))
		}
		child, err := p.set(m[sg.name], i+1, val)
		if err != nil {
			return nil, err
		}
		m[sg.name] = child
		return m, nil
	case segIndex:
		a, ok := cur.([]any)
		if !ok {
			return nil, fmt.Errorf("cannot set index %d: the value at %s is not an array", sg.index, p.prefix(i))
		}
		idx := sg.index
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, fmt.Errorf("cannot set index %d: the array at %s has %d elements", sg.index, p.prefix(i), len(a))
		}
		cp := make([]any, len(a))
		copy(cp, a)
		child, err := p.set(a[idx], i+1, val)
		if err != nil {
			return nil, err
		}
		cp[idx] = child
		return cp, nil
	}
	return nil, fmt.Errorf("unsupported segment")
}

func (p *Path) prefix(n int) string {
	q := &Path{segs: p.segs[:n]}
	return q.Normalized()
}
