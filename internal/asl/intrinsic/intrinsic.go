package intrinsic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Env is what an intrinsic or template is evaluated against.
type Env struct {
	// Input is the state's effective input, what "$" refers to.
	Input any
	// Context is the context object, what "$$" refers to.
	Context any
	// Vars looks up the workflow variables that "$name" paths read; nil
	// when there are none.
	Vars func(name string) (any, bool)
	// Rand is the engine's random source, seeded so that runs are
	// reproducible. States.MathRandom without a seed and States.UUID draw
	// from it. When nil they use math/rand/v2's global source. A *rand.Rand
	// is not safe for concurrent use: give each goroutine its own.
	Rand *rand.Rand
	// Maps, when set, supplies the objects Eval builds (see MapPool).
	Maps *MapPool
	// Records, when set, has Eval build objects as records instead of
	// maps, from this pool (see value.Record); it takes precedence over
	// Maps.
	Records *RecordPool
	// Held is set by Eval when a path or a function put an object or an
	// array into what it built: one that may belong to Input or Context.
	Held bool
}

// MapPool recycles the objects a template builds: Recycle makes the ones
// built since the previous Recycle available again. Use it only when
// nothing holds what Eval returned by then: a value built from a recycled
// object changes under whoever kept it.
//
// A recycled object is not emptied: it keeps the members of the template
// object that filled it, and goes first to a template object with the same
// member names, which overwrites them all (the very same template object
// even skips its literal members). A pool keeps an object for each set of
// names it is asked for, up to maxKept objects; past that, an object with
// other names is emptied for the one that asks.
//
// A pool that is done hands its objects on, as they are, with Release: to
// its Spares, from which the next pool with the same Spares takes them
// when it needs its first object. Pools that build from the same templates
// (one engine's executions of one machine) then build on the same objects
// and rarely empty or make one.
type MapPool struct {
	// Spares is where Release puts the pool's objects and where the pool
	// takes its first ones from; nil: Release drops them.
	Spares *Spares
	set    *mapSet
	// set.maps[:used] were built since the last Recycle.
	used int
}

// Spares holds the objects of pools that are done, for pools to come: the
// sets of up to maxSpareSets pools of each kind (about as many as run at
// once). A Spares must not be copied once used.
type Spares struct {
	mu      sync.Mutex
	sets    []*mapSet
	records []*recordSet
}

const maxSpareSets = 1 << 12

// spare pushes s on stack unless it is full.
func spare[S any](sp *Spares, stack *[]*S, s *S) {
	sp.mu.Lock()
	if len(*stack) < maxSpareSets {
		*stack = append(*stack, s)
	}
	sp.mu.Unlock()
}

// unspare pops the last set pushed on stack, or nil.
func unspare[S any](sp *Spares, stack *[]*S) *S {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	n := len(*stack)
	if n == 0 {
		return nil
	}
	s := (*stack)[n-1]
	(*stack)[n-1] = nil
	*stack = (*stack)[:n-1]
	return s
}

func (sp *Spares) put(s *mapSet) { spare(sp, &sp.sets, s) }

func (sp *Spares) take() *mapSet { return unspare(sp, &sp.sets) }

// mapSet is one pool's objects; sets pass from pool to pool whole.
type mapSet struct {
	maps []pooledMap
	buf  [8]pooledMap // maps' first array: a saga's Task inputs or selectors
}

type pooledMap struct {
	m     map[string]any
	owner *node // the template object that filled m last
}

// maxKept is how many objects a pool keeps before it empties objects for
// template objects with other member names. The order saga's Tasks use a
// dozen sets of names.
const maxKept = 16

// spoiled owns an object whose filling failed: it holds only some of its
// owner's members, so the next one to ask must empty it.
var spoiled = &node{shape: new(string)}

// Recycle makes every object built from the pool since the last Recycle
// available again.
func (p *MapPool) Recycle() { p.used = 0 }

// Release hands the pool's objects on to its Spares: the same rule as
// Recycle, for a pool that will build nothing more.
func (p *MapPool) Release() {
	if p.set != nil && p.Spares != nil {
		p.Spares.put(p.set)
	}
	p.set, p.used = nil, 0
}

// get returns an object for owner to fill with its members, its index (for
// spoil), and whether owner itself filled it last (its literal members are
// then in place). The object is empty, or holds the same names from the
// last time.
func (p *MapPool) get(owner *node) (m map[string]any, i int, same bool) {
	s := p.set
	if s == nil {
		if p.Spares != nil {
			s = p.Spares.take()
		}
		if s == nil {
			s = new(mapSet)
			s.maps = s.buf[:0]
		}
		p.set = s
	}
	i = p.used
	for j := i; j < len(s.maps); j++ {
		if s.maps[j].owner.shape == owner.shape {
			s.maps[i], s.maps[j] = s.maps[j], s.maps[i]
			break
		}
	}
	switch {
	case i < len(s.maps) && s.maps[i].owner.shape == owner.shape:
	case i == len(s.maps) || len(s.maps) < maxKept:
		// Every object is busy, or there is room for owner's names.
		s.maps = append(s.maps, pooledMap{m: make(map[string]any, len(owner.fields))})
		last := len(s.maps) - 1
		s.maps[i], s.maps[last] = s.maps[last], s.maps[i]
	default:
		clear(s.maps[i].m) // costs less than deleting the members one by one
	}
	pm := &s.maps[i]
	p.used++
	same = pm.owner == owner
	pm.owner = owner
	return pm.m, i, same
}

// spoil marks object i (as get returned it) as holding only some of its
// owner's members.
func (p *MapPool) spoil(i int) { p.set.maps[i].owner = spoiled }

// RecordPool supplies the records (value.Record) a template builds its
// objects as when Env.Records is set, for a Task handler that reads
// records: Recycle makes every record built since the last Recycle
// available again, so use it only when nothing holds what Eval returned by
// then. Each object fills every member of its record, so a record may go
// to any template object; the pool hands them out in the order asked.
// Release hands them on to the next pool with the same Spares, as
// MapPool's does.
type RecordPool struct {
	Spares *Spares
	set    *recordSet
	used   int // set.recs[:used] were built since the last Recycle
}

type recordSet struct {
	recs []*value.Record
	buf  [4]*value.Record // recs' first array: a Task input and its Payload
}

// Recycle makes every record built from the pool since the last Recycle
// available again.
func (p *RecordPool) Recycle() { p.used = 0 }

// Release hands the pool's records on to its Spares.
func (p *RecordPool) Release() {
	if p.set != nil && p.Spares != nil {
		spare(p.Spares, &p.Spares.records, p.set)
	}
	p.set, p.used = nil, 0
}

// get returns a record with n values for a template object to fill.
func (p *RecordPool) get(n int) *value.Record {
	s := p.set
	if s == nil {
		if p.Spares != nil {
			s = unspare(p.Spares, &p.Spares.records)
		}
		if s == nil {
			s = new(recordSet)
			s.recs = s.buf[:0]
		}
		p.set = s
	}
	if p.used == len(s.recs) {
		s.recs = append(s.recs, new(value.Record))
	}
	r := s.recs[p.used]
	p.used++
	if cap(r.Values) >= n {
		r.Values = r.Values[:n]
	} else {
		r.Values = make([]any, n)
	}
	return r
}

// maxDepth is how deeply calls may nest: AWS allows "up to 10 intrinsic
// functions within a field". Counting depth rather than calls accepts every
// field AWS accepts and still bounds the parser's recursion.
const maxDepth = 10

// IsIntrinsic reports whether s is written as an intrinsic function call,
// that is whether it begins with "States.".
func IsIntrinsic(s string) bool { return strings.HasPrefix(s, "States.") }

// Func is a compiled intrinsic function call.
type Func struct {
	src  string // the source text of this call, for error messages
	name string // e.g. "States.Format"
	spec *spec
	args []arg

	// For States.Format with a literal template, the template is parsed
	// when the call is compiled; a malformed one still fails only at run
	// time, as on AWS.
	format    *formatTemplate
	formatErr string
}

type argKind uint8

const (
	argLiteral argKind = iota
	argPath
	argCall
)

type arg struct {
	kind argKind
	val  any    // argLiteral: string, json.Number, bool or nil
	raw  string // argLiteral string: the text between the quotes, escapes kept
	str  bool   // argLiteral: val is a string literal
	path *jsonpath.Path
	call *Func
}

// String returns the source text of the call.
func (f *Func) String() string { return f.src }

// Name returns the function's name, e.g. "States.Format".
func (f *Func) Name() string { return f.name }

// SyntaxError says an intrinsic function call could not be parsed.
type SyntaxError struct {
	Src    string // the whole source text
	Offset int    // byte offset of the problem in Src
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("intrinsic function %q: offset %d: %s", e.Src, e.Offset, e.Msg)
}

// Parse compiles an intrinsic function call such as
// "States.Format('order {}', $.orderId)". Errors are *SyntaxError and name the
// byte offset of the problem.
//
// Parse checks syntax, function names and JSONPath arguments. It does not
// check argument counts or types: AWS accepts such a call when the state
// machine is created and fails the execution when the call runs, and so does
// Eval.
func Parse(src string) (*Func, error) {
	p := &parser{src: src}
	if !IsIntrinsic(src) {
		return nil, p.errorf(0, "an intrinsic function call must start with 'States.'")
	}
	f, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(src) {
		return nil, p.errorf(p.pos, "unexpected %q after the closing ')'", rest(src[p.pos:]))
	}
	return f, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(off int, format string, a ...any) *SyntaxError {
	return &SyntaxError{Src: p.src, Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// rest shortens the remaining text for an error message.
func rest(s string) string {
	const max = 20
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// call parses "States.Name(args)" starting at p.pos.
func (p *parser) call(depth int) (*Func, error) {
	start := p.pos
	if depth > maxDepth {
		return nil, p.errorf(start, "intrinsic functions nest more than %d deep", maxDepth)
	}
	p.pos += len("States.")
	n := p.pos
	for n < len(p.src) && isIdentChar(p.src[n]) {
		n++
	}
	name := p.src[start:n]
	if n == p.pos {
		return nil, p.errorf(p.pos, "missing function name after 'States.'")
	}
	sp, ok := specs[name]
	if !ok {
		return nil, p.errorf(start, "unknown intrinsic function '%s'", name)
	}
	p.pos = n
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf(p.pos, "expected '(' after '%s'", name)
	}
	p.pos++
	f := &Func{name: name, spec: sp}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			f.args = append(f.args, a)
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf(p.pos, "missing ')' to close '%s('", name)
			}
			c := p.src[p.pos]
			p.pos++
			if c == ')' {
				break
			}
			if c != ',' {
				return nil, p.errorf(p.pos-1, "expected ',' or ')' after an argument, found %q", c)
			}
		}
	}
	f.src = p.src[start:p.pos]
	if name == "States.Format" && len(f.args) > 0 && f.args[0].str {
		tmpl, msg := parseFormatTemplate(f.args[0].raw)
		f.format, f.formatErr = tmpl, msg
	}
	return f, nil
}

func isIdentChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isDelim reports whether c may follow a literal argument.
func isDelim(c byte) bool { return c == ',' || c == ')' || isSpace(c) }

func (p *parser) arg(depth int) (arg, error) {
	if p.pos >= len(p.src) {
		return arg{}, p.errorf(p.pos, "missing argument")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.pathArg()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], "States."):
		f, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: f}, nil
	}
	for _, kw := range [...]struct {
		word string
		val  any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		end := p.pos + len(kw.word)
		if strings.HasPrefix(p.src[p.pos:], kw.word) && (end == len(p.src) || isDelim(p.src[end])) {
			p.pos = end
			return arg{kind: argLiteral, val: kw.val}, nil
		}
	}
	if c == ',' || c == ')' {
		return arg{}, p.errorf(p.pos, "missing argument")
	}
	return arg{}, p.errorf(p.pos, "unexpected %q: an argument is a 'string', a number, true, false, null, a path ($...) or a call (States....)", rest(p.src[p.pos:]))
}

// stringLit parses a single-quoted string. The escapes AWS accepts are \' \{
// \} and \\; it rejects others, such as \n, when the state machine is created.
// Any other character, a raw newline included, stands for itself.
func (p *parser) stringLit() (arg, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	escaped := false
	plain := p.pos // start of the current run without escapes
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\'':
			raw := p.src[start+1 : p.pos]
			val := raw
			if escaped {
				b.WriteString(p.src[plain:p.pos])
				val = b.String()
			}
			p.pos++
			return arg{kind: argLiteral, val: val, raw: raw, str: true}, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return arg{}, p.errorf(start, "unterminated string")
			}
			e := p.src[p.pos+1]
			switch e {
			case '\'', '{', '}', '\\':
			default:
				r, _ := utf8.DecodeRuneInString(p.src[p.pos+1:])
				return arg{}, p.errorf(p.pos, "invalid escape '\\%c' in a string: only \\' \\{ \\} and \\\\ are allowed", r)
			}
			escaped = true
			b.WriteString(p.src[plain:p.pos])
			b.WriteByte(e)
			p.pos += 2
			plain = p.pos
		default:
			p.pos++
		}
	}
	return arg{}, p.errorf(start, "unterminated string")
}

// number parses a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() (arg, error) {
	s := p.src
	start := p.pos
	i := p.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		return arg{}, p.errorf(start, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return arg{}, p.errorf(start, "invalid number: digits must follow '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return arg{}, p.errorf(start, "invalid number: digits must follow the exponent")
		}
	}
	if i < len(s) && !isDelim(s[i]) {
		return arg{}, p.errorf(i, "invalid number: unexpected %q", s[i])
	}
	p.pos = i
	return arg{kind: argLiteral, val: jsonNumber(s[start:i])}, nil
}

// pathArg parses a JSONPath argument. It ends at a ',', ')' or blank outside
// brackets; inside brackets, quoted names may hold any character.
func (p *parser) pathArg() (arg, error) {
	s := p.src
	start := p.pos
	i := p.pos
	depth := 0
scan:
	for i < len(s) {
		c := s[i]
		switch {
		case c == '[':
			depth++
		case c == ']':
			if depth == 0 {
				return arg{}, p.errorf(i, "unexpected ']' in a path")
			}
			depth--
		case (c == '\'' || c == '"') && depth > 0:
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return arg{}, p.errorf(i, "unterminated quoted name in a path")
			}
			i = j
		case depth == 0 && isDelim(c):
			break scan
		}
		i++
	}
	if depth > 0 {
		return arg{}, p.errorf(start, "missing ']' in a path")
	}
	src := s[start:i]
	path, err := jsonpath.Compile(src)
	if err != nil {
		return arg{}, p.errorf(start, "invalid path: %v", err)
	}
	p.pos = i
	return arg{kind: argPath, path: path}, nil
}
