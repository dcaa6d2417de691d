package jsonpath

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// Path is a compiled JSONPath expression. It is safe for concurrent use.
type Path struct {
	src       string
	context   bool   // the source began with "$$": evaluate against the context object
	variable  string // the source began with "$name": evaluate against that workflow variable
	relative  bool   // the source began with "@" (only inside filters)
	segs      []segment
	definite  bool
	reference bool
	norm      string

	// missing holds, for a definite path, the error to return when segment i
	// finds nothing. They are built once so that a failed Get does not
	// allocate (Choice states probe for missing fields a lot).
	missing []*NotFoundError
}

type segKind uint8

const (
	segField    segKind = iota // ['name'] or .name
	segIndex                   // [3] or [-1]
	segFields                  // ['a','b']
	segIndexes                 // [0,2]
	segSlice                   // [1:3], [1:], [:3]
	segWildcard                // [*] or .*
	segScan                    // .. : applies the next segment at every depth
	segFilter                  // [?(...)]
)

type segment struct {
	kind    segKind
	quote   byte // the quote a name was written with, for Normalized
	name    string
	index   int
	names   []string
	indexes []int
	from    int
	to      int
	hasFrom bool
	hasTo   bool
	filter  *filterNode
}

// SyntaxError says why a path does not compile and where.
type SyntaxError struct {
	Path   string // the source text
	Offset int    // byte offset of the problem in Path
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%q: %s at offset %d", e.Path, e.Msg, e.Offset)
}

// Compile parses a path. It must start with "$" (the input), "$$" (the
// context object) or "$name" (the workflow variable name); Get is then
// given the matching root. Leading or trailing blanks are an error.
func Compile(src string) (*Path, error) {
	if src == "" {
		return nil, &SyntaxError{Path: src, Msg: "empty path"}
	}
	if src[0] != '$' {
		return nil, &SyntaxError{Path: src, Msg: "a path must start with '$'"}
	}
	ps := &parser{src: src, pos: 1}
	p := &Path{src: src}
	switch n := VariableNameLength(src[1:]); {
	case ps.peek() == '$':
		p.context = true
		ps.pos++
	case n > 0:
		p.variable = src[1 : 1+n]
		ps.pos += n
	}
	segs, err := ps.segments(false)
	if err != nil {
		return nil, err
	}
	p.segs = segs
	p.finish()
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

// finish computes the properties that depend only on the segments.
func (p *Path) finish() {
	p.definite, p.reference = true, true
	for i, sg := range p.segs {
		switch sg.kind {
		case segField, segIndex:
		case segFields:
			// Jayway merges a union of names in the last step into one object,
			// which makes that step definite.
			p.reference = false
			if i != len(p.segs)-1 {
				p.definite = false
			}
		default:
			p.definite, p.reference = false, false
		}
	}
	p.norm = normalize(p.segs, len(p.segs))
	if !p.definite {
		return
	}
	p.missing = make([]*NotFoundError, len(p.segs))
	full := &NotFoundError{Path: p}
	for i, sg := range p.segs {
		p.missing[i] = full
		if sg.kind == segField && i < len(p.segs)-1 {
			// Jayway: a missing field before the last step of a definite path.
			p.missing[i] = &NotFoundError{Path: p, msg: "Missing property in path " + normalize(p.segs, i+1)}
		}
	}
}

// String returns the source text.
func (p *Path) String() string { return p.src }

// IsContext reports whether the path refers to the context object ("$$...").
func (p *Path) IsContext() bool { return p.context }

// Variable returns the name of the workflow variable the path starts from
// ("$name..."), or "" for a path on the input or the context object.
func (p *Path) Variable() string { return p.variable }

// VariableNameLength returns how many bytes at the start of s make a
// workflow variable name: a letter or '_', then letters, digits or '_'
// (Unicode letters and digits count). 0 means s does not start with one.
func VariableNameLength(s string) int {
	n := 0
	for i, r := range s {
		ok := r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))
		if !ok {
			break
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}

// Definite reports whether the path names at most one value: only fields,
// single indexes, and a union of names as the last step. Get returns that
// value itself for a definite path and a list of matches otherwise.
func (p *Path) Definite() bool { return p.definite }

// IsReference reports whether the path is a Reference Path as the States
// Language defines it: only fields and single indexes, so that it names one
// place a value can be put (what ResultPath accepts). "$" is one.
func (p *Path) IsReference() bool { return p.reference }

// IsRoot reports whether the path is "$" (or "$$") with nothing after it.
// A variable alone ("$name") is not: it is not the input.
func (p *Path) IsRoot() bool { return len(p.segs) == 0 && p.variable == "" }

// BelowRoot reports whether Get never returns the input it is given as its
// root (a variable path reads a variable instead), nor a list or merged
// object that holds it: the first step takes something inside the root (a
// field, an index, a slice, a wildcard or a union). "$" alone, and a filter
// or recursive descent in the first step, may match the root itself.
func (p *Path) BelowRoot() bool {
	if p.variable != "" {
		return true // its root is a variable's value, never the input
	}
	if len(p.segs) == 0 {
		return false
	}
	switch p.segs[0].kind {
	case segField, segIndex, segFields, segIndexes, segSlice, segWildcard:
		return true
	}
	return false
}

// Normalized renders the path the way Jayway prints it, $['a'][0], the form
// Step Functions shows in "No results for path" errors. Wildcards print as
// [*], recursive descent as .., and filters as [?].
func (p *Path) Normalized() string { return p.norm }

func normalize(segs []segment, n int) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, sg := range segs[:n] {
		switch sg.kind {
		case segField:
			writeList(&b, 1, func(int) { writeQuoted(&b, sg.name, sg.quote) })
		case segFields:
			writeList(&b, len(sg.names), func(i int) { writeQuoted(&b, sg.names[i], sg.quote) })
		case segIndex:
			writeList(&b, 1, func(int) { b.WriteString(strconv.Itoa(sg.index)) })
		case segIndexes:
			writeList(&b, len(sg.indexes), func(i int) { b.WriteString(strconv.Itoa(sg.indexes[i])) })
		case segSlice:
			b.WriteByte('[')
			if sg.hasFrom {
				b.WriteString(strconv.Itoa(sg.from))
			}
			b.WriteByte(':')
			if sg.hasTo {
				b.WriteString(strconv.Itoa(sg.to))
			}
			b.WriteByte(']')
		case segWildcard:
			b.WriteString("[*]")
		case segScan:
			b.WriteString("..")
		case segFilter:
			b.WriteString("[?]")
		}
	}
	return b.String()
}

// writeList writes n items between brackets, separated by commas.
func writeList(b *strings.Builder, n int, item func(i int)) {
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		item(i)
	}
	b.WriteByte(']')
}

// writeQuoted writes a name between quotes. Names are kept as written (see
// the package comment), so nothing is escaped and the output compiles back
// to the same name.
func writeQuoted(b *strings.Builder, name string, quote byte) {
	if quote == 0 {
		quote = '\''
	}
	b.WriteByte(quote)
	b.WriteString(name)
	b.WriteByte(quote)
}

// NotFoundError says a definite path matched nothing. Every failure of Get is
// one; the message is the one Jayway gives for that failure, e.g.
// "No results for path: $['a']" or "Missing property in path $['a']".
type NotFoundError struct {
	Path *Path
	msg  string
}

func (e *NotFoundError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return "No results for path: " + e.Path.Normalized()
}

// Get evaluates the path on root. A definite path returns the value it names
// or a *NotFoundError; an indefinite path returns a []any of every match,
// possibly empty, and never an error. Get does not allocate for a path of
// fields and indexes that is found.
func (p *Path) Get(root any) (any, error) {
	if !p.definite {
		return p.all(root, root), nil
	}
	v, failed, parent := p.walk(root)
	if failed < 0 {
		return v, nil
	}
	return nil, p.failure(failed, parent)
}

// walk follows a definite path. It returns the value found and -1, or the
// index of the segment that found nothing and the value it was applied to.
func (p *Path) walk(root any) (v any, failed int, parent any) {
	cur := root
	for i := range p.segs {
		sg := &p.segs[i]
		switch sg.kind {
		case segField:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, i, cur
			}
			next, ok := m[sg.name]
			if !ok {
				return nil, i, cur
			}
			cur = next
		case segIndex:
			a, ok := cur.([]any)
			if !ok {
				return nil, i, cur
			}
			idx := sg.index
			if idx < 0 {
				idx += len(a)
			}
			if idx < 0 || idx >= len(a) {
				return nil, i, cur
			}
			cur = a[idx]
		case segFields:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, i, cur
			}
			cur = mergeFields(m, sg.names)
		}
	}
	return cur, -1, nil
}

func mergeFields(m map[string]any, names []string) map[string]any {
	merged := make(map[string]any, len(names))
	for _, name := range names {
		if v, ok := m[name]; ok {
			merged[name] = v
		}
	}
	return merged
}

// failure builds the error for segment i of a definite path, applied to
// parent, finding nothing. The messages are Jayway's, except that the type
// found is named as a JSON type rather than a Java class.
func (p *Path) failure(i int, parent any) error {
	sg := &p.segs[i]
	switch sg.kind {
	case segField, segFields:
		if _, ok := parent.(map[string]any); ok {
			return p.missing[i]
		}
		return &NotFoundError{Path: p, msg: fmt.Sprintf(
			"Expected to find an object with property %s in path %s but found '%s'. This is not a json object.",
			normalize(p.segs[i:], 1)[1:], normalize(p.segs, i), value.TypeName(parent))}
	case segIndex:
		if _, ok := parent.([]any); ok {
			return p.missing[i]
		}
		if parent == nil {
			return &NotFoundError{Path: p, msg: "The path " + normalize(p.segs, i) + " is null"}
		}
		return &NotFoundError{Path: p, msg: fmt.Sprintf(
			"Filter: [%d] can only be applied to arrays. Current context is: %s",
			sg.index, value.QuoteForMessage(parent))}
	}
	return p.missing[i]
}

// Set returns a copy of root with val placed at the path, creating objects for
// missing fields (and for fields whose value is null). Only the maps and
// slices along the path are copied; root itself is never changed. The path
// must be a reference path (see IsReference); setting "$" returns val.
func (p *Path) Set(root, val any) (any, error) {
	if !p.reference {
		return nil, fmt.Errorf("%q: a value can only be set at a reference path (fields and single indexes)", p.src)
	}
	return p.set(root, 0, val)
}

// SetOwned is Set for a root that the caller owns exclusively: nothing else
// holds a reference to it. When the path starts with a field and root is an
// object, the field is set in root itself instead of in a copy. The maps and
// slices below root are still copied, since root may share them; on error
// root is unchanged.
func (p *Path) SetOwned(root, val any) (any, error) {
	if !p.reference {
		return p.Set(root, val)
	}
	m, ok := root.(map[string]any)
	if !ok || len(p.segs) == 0 || p.segs[0].kind != segField {
		return p.set(root, 0, val)
	}
	name := p.segs[0].name
	if len(p.segs) == 1 {
		m[name] = val // no need to look at what was there
		return m, nil
	}
	child, err := p.set(m[name], 1, val)
	if err != nil {
		return nil, err
	}
	m[name] = child
	return m, nil
}

func (p *Path) set(cur any, i int, val any) (any, error) {
	if i == len(p.segs) {
		return val, nil
	}
	sg := &p.segs[i]
	switch sg.kind {
	case segField:
		var m map[string]any
		switch c := cur.(type) {
		case map[string]any:
			// maps.Clone copies the table wholesale, several times faster
			// than re-inserting every key.
			m = maps.Clone(c)
		case nil:
			m = make(map[string]any, 1)
		default:
			return nil, fmt.Errorf("cannot set field '%s': the value at %s is not an object", sg.name, normalize(p.segs, i))
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
			return nil, fmt.Errorf("cannot set index %d: the value at %s is not an array", sg.index, normalize(p.segs, i))
		}
		idx := sg.index
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, fmt.Errorf("cannot set index %d: the array at %s has %d elements", sg.index, normalize(p.segs, i), len(a))
		}
		child, err := p.set(a[idx], i+1, val)
		if err != nil {
			return nil, err
		}
		cp := make([]any, len(a))
		copy(cp, a)
		cp[idx] = child
		return cp, nil
	}
	// Unreachable: Set checks that the path is a reference path.
	return nil, fmt.Errorf("%q: cannot set through %s", p.src, normalize(p.segs, i+1))
}
