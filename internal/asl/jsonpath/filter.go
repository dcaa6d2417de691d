package jsonpath

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// filterNode is one node of a compiled filter expression.
type filterNode struct {
	op   filterOp
	x, y *filterNode // operands of or, and, not
	cmp  cmpOp
	l, r operand // operands of exists (l only) and compare
}

type filterOp uint8

const (
	filterOr filterOp = iota
	filterAnd
	filterNot
	filterExists
	filterCompare
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpLe
	cmpGt
	cmpGe
	cmpMatch
)

// operand is a path (relative to the item with "@", to the root with "$"),
// a literal or a regular expression.
type operand struct {
	path *Path
	lit  any
	re   *regexp.Regexp
}

// wordOperators are Jayway's operators that are words. The AWS documentation
// says Step Functions supports none of them.
var wordOperators = []string{"nin", "in", "subsetof", "anyof", "noneof", "size", "empty", "contains", "matches", "type", "exists"}

func (ps *parser) filterOr() (*filterNode, error) {
	return ps.filterChain("||", filterOr, ps.filterAnd)
}

func (ps *parser) filterAnd() (*filterNode, error) {
	return ps.filterChain("&&", filterAnd, ps.filterUnary)
}

// filterChain parses operands joined by tok into op nodes, grouped from the
// left.
func (ps *parser) filterChain(tok string, op filterOp, operand func() (*filterNode, error)) (*filterNode, error) {
	x, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		ps.skipBlanks()
		if !strings.HasPrefix(ps.src[ps.pos:], tok) {
			return x, nil
		}
		ps.pos += len(tok)
		y, err := operand()
		if err != nil {
			return nil, err
		}
		x = &filterNode{op: op, x: x, y: y}
	}
}

func (ps *parser) filterUnary() (*filterNode, error) {
	ps.skipBlanks()
	switch ps.peek() {
	case 0:
		return nil, ps.fail(ps.pos, "unterminated filter: expected an expression")
	case '!':
		at := ps.pos
		ps.pos++
		ps.skipBlanks()
		if c := ps.peek(); c == '@' || c == '$' {
			// !@.a: the field does not exist. Jayway ignores the '!' when a
			// comparison follows; refuse that rather than guess.
			x, err := ps.comparison()
			if err != nil {
				return nil, err
			}
			if x.op != filterExists {
				return nil, ps.fail(at, "'!' before a comparison: write !(...) around it")
			}
			return &filterNode{op: filterNot, x: x}, nil
		}
		x, err := ps.filterUnary()
		if err != nil {
			return nil, err
		}
		return &filterNode{op: filterNot, x: x}, nil
	case '(':
		lp := ps.pos
		ps.pos++
		x, err := ps.filterOr()
		if err == nil {
			err = ps.expect(')', lp, "missing ')'", "unexpected %s in filter: expected ')'")
		}
		if err != nil {
			return nil, err
		}
		return x, nil
	}
	return ps.comparison()
}

// comparison reads "a op b", or a lone path, which tests that the path exists.
func (ps *parser) comparison() (*filterNode, error) {
	at := ps.pos
	l, err := ps.operand()
	if err != nil {
		return nil, err
	}
	ps.skipBlanks()
	opAt := ps.pos
	op, ok, err := ps.cmpOperator()
	if err != nil {
		return nil, err
	}
	if !ok {
		if l.path == nil {
			return nil, ps.fail(at, "a literal alone is not a condition: compare it with something")
		}
		return &filterNode{op: filterExists, l: l}, nil
	}
	ps.skipBlanks()
	r, err := ps.operand()
	if err != nil {
		return nil, err
	}
	if op == cmpMatch {
		if (l.re == nil) == (r.re == nil) {
			return nil, ps.fail(opAt, "'=~' needs a /regular expression/ on one side")
		}
	} else if l.re != nil || r.re != nil {
		return nil, ps.fail(opAt, "a /regular expression/ can only be used with '=~'")
	}
	return &filterNode{op: filterCompare, cmp: op, l: l, r: r}, nil
}

// cmpOperator reads a comparison operator if there is one.
func (ps *parser) cmpOperator() (cmpOp, bool, error) {
	rest := ps.src[ps.pos:]
	for _, o := range []struct {
		text string
		op   cmpOp
	}{{"==", cmpEq}, {"!=", cmpNe}, {"<=", cmpLe}, {">=", cmpGe}, {"=~", cmpMatch}, {"<", cmpLt}, {">", cmpGt}} {
		if strings.HasPrefix(rest, o.text) {
			if (o.op == cmpEq || o.op == cmpNe) && strings.HasPrefix(rest[2:], "=") {
				return 0, false, ps.fail(ps.pos, "'%s=' is not supported: use '%s'", o.text, o.text)
			}
			ps.pos += len(o.text)
			return o.op, true, nil
		}
	}
	if strings.HasPrefix(rest, "=") {
		return 0, false, ps.fail(ps.pos, "'=' is not a comparison: use '=='")
	}
	for _, w := range wordOperators {
		if strings.HasPrefix(rest, w) && !isWordByte(ps.peekAt(ps.pos+len(w))) {
			return 0, false, ps.fail(ps.pos, "the operator '%s' is not supported by Step Functions", w)
		}
	}
	return 0, false, nil
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (ps *parser) operand() (operand, error) {
	at := ps.pos
	switch c := ps.peek(); {
	case c == '@' || c == '$':
		return ps.filterPath()
	case c == '\'' || c == '"':
		s, err := ps.stringLiteral()
		return operand{lit: s}, err
	case c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return ps.numberLiteral()
	case c == '/':
		return ps.regexLiteral()
	case c == '[' || c == '{':
		return operand{}, ps.fail(at, "JSON literals are not supported in filters")
	case c == 0:
		return operand{}, ps.fail(at, "unterminated filter: expected a value")
	}
	for _, kw := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(ps.src[ps.pos:], kw.text) && !isWordByte(ps.peekAt(ps.pos+len(kw.text))) {
			ps.pos += len(kw.text)
			return operand{lit: kw.v}, nil
		}
	}
	return operand{}, ps.fail(at, "unexpected %s in filter: expected a path, string, number, true, false, null or /regex/", describe(ps.peek()))
}

// filterPath reads @..., $... inside a filter.
func (ps *parser) filterPath() (operand, error) {
	start := ps.pos
	rel := ps.peek() == '@'
	ps.pos++
	if ps.peek() == '$' {
		return operand{}, ps.fail(ps.pos, "the context object ($$) cannot be used in a filter")
	}
	segs, err := ps.segments(true)
	if err != nil {
		return operand{}, err
	}
	p := &Path{src: ps.src[start:ps.pos], relative: rel, segs: segs}
	p.finish()
	return operand{path: p}, nil
}

// stringLiteral reads '...' or "..." and applies Java escapes, as Jayway
// does for strings in filters.
func (ps *parser) stringLiteral() (string, error) {
	raw, err := ps.quoted()
	if err != nil {
		return "", err
	}
	return unescapeJava(raw), nil
}

// quoted reads the text between the quote at pos and the next one that no
// backslash escapes, as written.
func (ps *parser) quoted() (string, error) {
	quote := ps.peek()
	start := ps.pos
	ps.pos++
	for !ps.eof() && ps.peek() != quote {
		if ps.peek() == '\\' {
			ps.pos++
		}
		ps.pos++
	}
	if ps.eof() {
		return "", ps.fail(start, "unterminated string")
	}
	raw := ps.src[start+1 : ps.pos]
	ps.pos++
	return raw, nil
}

// unescapeJava resolves \\ \' \" \n \t \r \f \b and \uXXXX. Another escaped
// character stands for itself.
func unescapeJava(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'b':
			b.WriteByte('\b')
		case 'u':
			if i+4 < len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func (ps *parser) numberLiteral() (operand, error) {
	start := ps.pos
	for !ps.eof() {
		c := ps.peek()
		if (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' || c == 'E' ||
			(c == '+' && ps.pos > start && (ps.src[ps.pos-1] == 'e' || ps.src[ps.pos-1] == 'E')) {
			ps.pos++
			continue
		}
		break
	}
	text := ps.src[start:ps.pos]
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return operand{lit: i}, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return operand{}, ps.fail(start, "invalid number %q", text)
	}
	return operand{lit: f}, nil
}

// regexLiteral reads /pattern/flags. Jayway tests the whole string (Java's
// Matcher.matches), so the pattern is anchored at both ends. Patterns use Go
// syntax (RE2), which lacks Java's backreferences and lookaround.
func (ps *parser) regexLiteral() (operand, error) {
	start := ps.pos
	ps.pos++
	for !ps.eof() && ps.peek() != '/' {
		if ps.peek() == '\\' {
			ps.pos++
		}
		ps.pos++
	}
	if ps.eof() {
		return operand{}, ps.fail(start, "unterminated regular expression")
	}
	pattern := ps.src[start+1 : ps.pos]
	ps.pos++
	flags := ""
	for isWordByte(ps.peek()) {
		switch c := ps.peek(); c {
		case 'i', 'm', 's':
			if !strings.ContainsRune(flags, rune(c)) {
				flags += string(c)
			}
		case 'u':
			// Java's UNICODE_CASE: Go's case folding is always Unicode-aware.
		default:
			return operand{}, ps.fail(ps.pos, "unsupported regular expression flag %s", describe(c))
		}
		ps.pos++
	}
	expr := `\A(?:` + pattern + `)\z`
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		msg := err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			msg = string(se.Code) // se.Expr is our wrapped pattern, maybe with newlines
		}
		return operand{}, ps.fail(start, "invalid regular expression: %s", msg)
	}
	return operand{re: re}, nil
}

// accept reports whether item passes the filter. Only objects can: the AWS
// documentation says "@" does not match scalar values.
func (f *filterNode) accept(item, root any) bool {
	if _, ok := item.(map[string]any); !ok {
		return false
	}
	return f.eval(item, root)
}

func (f *filterNode) eval(item, root any) bool {
	switch f.op {
	case filterOr:
		return f.x.eval(item, root) || f.y.eval(item, root)
	case filterAnd:
		return f.x.eval(item, root) && f.y.eval(item, root)
	case filterNot:
		return !f.x.eval(item, root)
	case filterExists:
		return f.l.exists(item, root)
	}
	if f.cmp == cmpMatch {
		if f.l.re != nil {
			return f.l.re.MatchString(matchInput(f.r.value(item, root)))
		}
		return f.r.re.MatchString(matchInput(f.l.value(item, root)))
	}
	l, lok := f.l.value(item, root)
	r, rok := f.r.value(item, root)
	switch f.cmp {
	case cmpEq:
		return lok && rok && looseEqual(l, r)
	case cmpNe:
		// Jayway: != is the negation of ==, so a missing field is != anything.
		return !(lok && rok && looseEqual(l, r))
	}
	if !lok || !rok {
		return false
	}
	c, ok := order(l, r)
	if !ok {
		return false
	}
	switch f.cmp {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	}
	return c >= 0
}

// value evaluates an operand. ok is false when a definite path finds nothing;
// an indefinite path yields the list of its matches.
func (o *operand) value(item, root any) (v any, ok bool) {
	if o.path == nil {
		return o.lit, true
	}
	start := root
	if o.path.relative {
		start = item
	}
	if !o.path.definite {
		return o.path.all(start, root), true
	}
	v, failed, _ := o.path.walk(start)
	return v, failed < 0
}

// exists reports whether a path names something; for an indefinite path, at
// least one thing. A field that holds null exists.
func (o *operand) exists(item, root any) bool {
	v, ok := o.value(item, root)
	if !ok {
		return false
	}
	if o.path.definite {
		return true
	}
	list, _ := v.([]any)
	return len(list) > 0
}

// matchInput is the text a regular expression is tested against: a string,
// a number's text, true or false, and otherwise the empty string (Jayway).
func matchInput(v any, ok bool) string {
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return string(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// looseEqual is Jayway's ==: JSON equality, except that a number equals a
// string holding the same number.
func looseEqual(a, b any) bool {
	an, bn := value.IsNumber(a), value.IsNumber(b)
	switch {
	case an && bn:
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	case an:
		s, ok := b.(string)
		if !ok || !isDecimal(s) {
			return false
		}
		c, ok := compareNumbers(a, json.Number(s))
		return ok && c == 0
	case bn:
		return looseEqual(b, a)
	}
	return value.Equal(a, b)
}

// isDecimal reports whether s is a decimal number as Java's BigDecimal reads
// one: optional sign, digits with an optional point, optional exponent.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// order compares two numbers or two strings (Jayway's < and >); ok is false
// for any other pair. Strings compare by code point (UTF-8 byte order), as
// Java's compareTo does outside the surrogate range.
func order(a, b any) (c int, ok bool) {
	if sa, ok := a.(string); ok {
		sb, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(sa, sb), true
	}
	if !value.IsNumber(a) || !value.IsNumber(b) {
		return 0, false
	}
	return compareNumbers(a, b)
}

// compareNumbers compares two numbers: exactly when both are integers that
// fit in an int64, as float64 otherwise. ok is false if either is NaN.
func compareNumbers(a, b any) (c int, ok bool) {
	if ia, ok := intValue(a); ok {
		if ib, ok := intValue(b); ok {
			return cmp.Compare(ia, ib), true
		}
	}
	fa, _ := value.Float(a)
	fb, _ := value.Float(b)
	if math.IsNaN(fa) || math.IsNaN(fb) {
		return 0, false
	}
	return cmp.Compare(fa, fb), true
}

// intValue is value.Int without its allocation for json.Number text that is
// not an integer (strconv allocates its errors): filters compare prices.
func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case json.Number:
		s := string(n)
		if s == "" || s == "-" {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if (s[i] < '0' || s[i] > '9') && !(i == 0 && (s[i] == '-' || s[i] == '+')) {
				return 0, false
			}
		}
		i, err := strconv.ParseInt(s, 10, 64)
		return i, err == nil
	}
	return 0, false
}
