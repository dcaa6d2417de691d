package filter

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filter is a compiled expression; see the package documentation.
type Filter struct {
	src  string
	root node
}

// String returns the expression as written.
func (f *Filter) String() string { return f.src }

// Message is what a filter looks at.
type Message struct {
	MessageID string
	Body      string
	// Attributes are the message attributes: data type and value.
	Attributes map[string]Attribute
	// System are the system attributes (ApproximateReceiveCount,
	// SentTimestamp, MessageGroupId, ...).
	System map[string]string

	parsed    any
	parsedErr bool
	parsedSet bool
}

// Attribute is one message attribute.
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Match reports whether m satisfies the filter.
func (f *Filter) Match(m *Message) bool {
	if f == nil || f.root == nil {
		return true
	}
	return truthy(f.root.eval(m))
}

// ParseFilter compiles an expression. Errors name the column and what was
// expected, on one line.
func Parse(src string) (*Filter, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("the expression is empty; write one such as body.currency == \"EUR\"")
	}
	if len(src) > 4096 {
		return nil, fmt.Errorf("the expression is %d bytes long, at most 4096 allowed", len(src))
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, fmt.Errorf("at column %d: unexpected %s; combine conditions with && or ||", t.col, t.describe())
	}
	return &Filter{src: src, root: n}, nil
}

// --- lexer

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp // == != < <= > >= && || ! ( ) [ ] .
)

type token struct {
	kind tokKind
	text string
	col  int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return strconv.Quote(t.text)
	default:
		return "'" + t.text + "'"
	}
}

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		col := utf8.RuneCountInString(src[:i]) + 1
		var (
			t   token
			n   int
			err error
		)
		switch {
		case r == utf8.RuneError && w == 1:
			return nil, fmt.Errorf("at column %d: the expression is not valid UTF-8", col)
		case unicode.IsSpace(r):
			i += w
			continue
		case r == '"' || r == '\'':
			t, n, err = lexString(src[i:], r, col)
		case r == '-' || r >= '0' && r <= '9':
			t, n, err = lexNumber(src[i:], col)
		case r == '_' || unicode.IsLetter(r):
			t, n = lexIdent(src[i:], w, col)
		default:
			t, n, err = lexOp(src[i:], r, col)
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
	return append(toks, token{kind: tEOF, col: utf8.RuneCountInString(src) + 1}), nil
}

// lexString reads a string quoted with q from the start of s, with \n,
// \t and \ before any other character.
func lexString(s string, q rune, col int) (token, int, error) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == byte(q):
			return token{tString, b.String(), col}, j + 1, nil
		case c == '\\' && j+1 < len(s):
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return token{}, 0, fmt.Errorf("at column %d: the string is not closed; end it with %c", col, q)
}

// lexNumber reads a number from the start of s: digits, a point, an
// exponent.
func lexNumber(s string, col int) (token, int, error) {
	j := 1
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
		(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
		j++
	}
	if _, err := strconv.ParseFloat(s[:j], 64); err != nil {
		return token{}, 0, fmt.Errorf("at column %d: %q is not a number", col, s[:j])
	}
	return token{tNumber, s[:j], col}, j, nil
}

// lexIdent reads a name from the start of s, whose first rune is w bytes:
// letters, digits, _ and -.
func lexIdent(s string, w, col int) (token, int) {
	j := w
	for j < len(s) {
		r, w2 := utf8.DecodeRuneInString(s[j:])
		if r != '_' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		j += w2
	}
	return token{tIdent, s[:j], col}, j
}

// lexOp reads an operator or a bracket from the start of s, whose first
// rune is r.
func lexOp(s string, r rune, col int) (token, int, error) {
	if len(s) > 1 {
		switch two := s[:2]; two {
		case "==", "!=", "<=", ">=", "&&", "||":
			return token{tOp, two, col}, 2, nil
		}
	}
	switch r {
	case '<', '>', '!', '(', ')', '[', ']', '.':
		return token{tOp, string(r), col}, 1, nil
	case '=':
		return token{}, 0, fmt.Errorf("at column %d: '=' alone is not an operator; compare with ==", col)
	case '&', '|':
		return token{}, 0, fmt.Errorf("at column %d: write %c%c, not %c", col, r, r, r)
	}
	return token{}, 0, fmt.Errorf("at column %d: unexpected %q", col, r)
}

// --- parser

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// maxDepth bounds nesting so a hostile expression cannot exhaust the stack.
const maxDepth = 64

func (p *parser) or(depth int) (node, error) { return p.chain(depth, "||", p.and) }

func (p *parser) and(depth int) (node, error) { return p.chain(depth, "&&", p.unary) }

// chain parses operands joined by op (|| or &&), left to right.
func (p *parser) chain(depth int, op string, operand func(int) (node, error)) (node, error) {
	l, err := operand(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOp && p.peek().text == op {
		p.next()
		r, err := operand(depth)
		if err != nil {
			return nil, err
		}
		l = &logic{or: op == "||", l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary(depth int) (node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("at column %d: the expression nests deeper than %d levels", p.peek().col, maxDepth)
	}
	t := p.peek()
	if t.kind == tOp && t.text == "!" {
		p.next()
		n, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &not{n}, nil
	}
	if t.kind == tOp && t.text == "(" {
		p.next()
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tOp || c.text != ")" {
			return nil, fmt.Errorf("at column %d: expected ')' to close the '(' at column %d, found %s", c.col, t.col, c.describe())
		}
		return n, nil
	}
	return p.comparison()
}

var comparators = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"contains": true, "startsWith": true, "endsWith": true, "matches": true}

func (p *parser) comparison() (node, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !((t.kind == tOp || t.kind == tIdent) && comparators[t.text]) {
		if t.kind == tIdent {
			return nil, fmt.Errorf("at column %d: unknown operator %q; use ==, !=, <, <=, >, >=, contains, startsWith, endsWith or matches", t.col, t.text)
		}
		return &truth{l}, nil
	}
	p.next()
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	c := &compare{op: t.text, l: l, r: r}
	if t.text == "matches" {
		lit, ok := r.(*literal)
		s, isStr := lit.valueOrNil().(string)
		if !ok || !isStr {
			return nil, fmt.Errorf("at column %d: matches takes a regular expression in quotes", t.col)
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("at column %d: bad regular expression: %v", t.col, err)
		}
		c.re = re
	}
	return c, nil
}

func (p *parser) operand() (node, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &literal{v: t.text}, nil
	case tNumber:
		f, _ := strconv.ParseFloat(t.text, 64)
		return &literal{v: f}, nil
	case tIdent:
		switch t.text {
		case "true":
			return &literal{v: true}, nil
		case "false":
			return &literal{v: false}, nil
		case "null":
			return &literal{v: nil, isNull: true}, nil
		case "body", "attr", "sys", "id":
			return p.path(t)
		}
		return nil, fmt.Errorf("at column %d: unknown name %q; paths start with body, attr, sys or id, and text goes in quotes", t.col, t.text)
	}
	return nil, fmt.Errorf("at column %d: expected a value or a path (body, attr.NAME, sys.NAME, id), found %s", t.col, t.describe())
}

func (p *parser) path(root token) (node, error) {
	n := &path{root: root.text}
	for {
		t := p.peek()
		if t.kind != tOp || (t.text != "." && t.text != "[") {
			break
		}
		if root.text == "id" {
			return nil, fmt.Errorf("at column %d: id has no fields", t.col)
		}
		p.next()
		if t.text == "." {
			k := p.next()
			if k.kind != tIdent {
				return nil, fmt.Errorf("at column %d: expected a field name after '.', found %s", k.col, k.describe())
			}
			n.keys = append(n.keys, k.text)
			continue
		}
		k := p.next()
		switch k.kind {
		case tString:
			n.keys = append(n.keys, k.text)
		case tNumber:
			i, err := strconv.Atoi(k.text)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("at column %d: an index must be a whole number >= 0, not %s", k.col, k.text)
			}
			n.keys = append(n.keys, i)
		default:
			return nil, fmt.Errorf("at column %d: expected a quoted key or an index inside [ ], found %s", k.col, k.describe())
		}
		if c := p.next(); c.kind != tOp || c.text != "]" {
			return nil, fmt.Errorf("at column %d: expected ']', found %s", c.col, c.describe())
		}
	}
	if (root.text == "attr" || root.text == "sys") && len(n.keys) != 1 {
		return nil, fmt.Errorf("at column %d: write %s.NAME (one name)", root.col, root.text)
	}
	if (root.text == "attr" || root.text == "sys") && len(n.keys) == 1 {
		if _, ok := n.keys[0].(string); !ok {
			return nil, fmt.Errorf("at column %d: %s takes a name, not an index", root.col, root.text)
		}
	}
	return n, nil
}

// --- evaluation

// missing is the value of a path that leads nowhere.
type missingT struct{}

var missing = missingT{}

type node interface{ eval(m *Message) any }

type literal struct {
	v      any
	isNull bool
}

func (l *literal) eval(*Message) any { return l.v }
func (l *literal) valueOrNil() any {
	if l == nil {
		return nil
	}
	return l.v
}

type path struct {
	root string
	keys []any
}

func (m *Message) json() (any, bool) {
	if !m.parsedSet {
		m.parsedSet = true
		dec := json.NewDecoder(strings.NewReader(m.Body))
		dec.UseNumber()
		if err := dec.Decode(&m.parsed); err != nil {
			m.parsedErr = true
		}
	}
	return m.parsed, !m.parsedErr
}

func (p *path) eval(m *Message) any {
	switch p.root {
	case "id":
		return m.MessageID
	case "sys":
		v, ok := m.System[p.keys[0].(string)]
		if !ok {
			return missing
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
		return v
	case "attr":
		a, ok := m.Attributes[p.keys[0].(string)]
		if !ok {
			return missing
		}
		switch {
		case strings.HasPrefix(a.DataType, "Number"):
			if f, err := strconv.ParseFloat(a.StringValue, 64); err == nil {
				return f
			}
			return a.StringValue
		case strings.HasPrefix(a.DataType, "Binary"):
			return base64.StdEncoding.EncodeToString(a.BinaryValue)
		default:
			return a.StringValue
		}
	}
	if len(p.keys) == 0 {
		return m.Body
	}
	v, ok := m.json()
	if !ok {
		return missing
	}
	for _, k := range p.keys {
		switch k := k.(type) {
		case string:
			obj, ok := v.(map[string]any)
			if !ok {
				return missing
			}
			if v, ok = obj[k]; !ok {
				return missing
			}
		case int:
			arr, ok := v.([]any)
			if !ok || k >= len(arr) {
				return missing
			}
			v = arr[k]
		}
	}
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
		return n.String()
	}
	return v
}

type truth struct{ n node }

func (t *truth) eval(m *Message) any { return truthy(t.n.eval(m)) }

type not struct{ n node }

func (n *not) eval(m *Message) any { return !truthy(n.n.eval(m)) }

type logic struct {
	or   bool
	l, r node
}

func (l *logic) eval(m *Message) any {
	if l.or {
		return truthy(l.l.eval(m)) || truthy(l.r.eval(m))
	}
	return truthy(l.l.eval(m)) && truthy(l.r.eval(m))
}

func truthy(v any) bool {
	switch v := v.(type) {
	case missingT, nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case float64:
		return v != 0
	}
	return true
}

type compare struct {
	op   string
	l, r node
	re   *regexp.Regexp
}

func (c *compare) eval(m *Message) any {
	l, r := c.l.eval(m), c.r.eval(m)
	_, lm := l.(missingT)
	_, rm := r.(missingT)
	if lm || rm {
		return c.op == "!="
	}
	switch c.op {
	case "==":
		return equalValues(l, r)
	case "!=":
		return !equalValues(l, r)
	case "contains":
		if arr, ok := l.([]any); ok {
			for _, x := range arr {
				if n, ok := x.(json.Number); ok {
					x, _ = n.Float64()
				}
				if equalValues(x, r) {
					return true
				}
			}
			return false
		}
		ls, lok := l.(string)
		rs, rok := r.(string)
		return lok && rok && strings.Contains(ls, rs)
	case "startsWith", "endsWith":
		ls, lok := l.(string)
		rs, rok := r.(string)
		if !lok || !rok {
			return false
		}
		if c.op == "startsWith" {
			return strings.HasPrefix(ls, rs)
		}
		return strings.HasSuffix(ls, rs)
	case "matches":
		ls, ok := l.(string)
		return ok && c.re.MatchString(ls)
	}
	// Ordering: numbers with numbers, strings with strings.
	if lf, ok := l.(float64); ok {
		rf, ok := r.(float64)
		if !ok {
			return false
		}
		return ordered(c.op, compareFloat(lf, rf))
	}
	if ls, ok := l.(string); ok {
		rs, ok := r.(string)
		if !ok {
			return false
		}
		return ordered(c.op, strings.Compare(ls, rs))
	}
	return false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ordered(op string, cmp int) bool {
	switch op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	default:
		return cmp >= 0
	}
}

func equalValues(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool, string, float64:
		return a == b
	}
	return false
}
