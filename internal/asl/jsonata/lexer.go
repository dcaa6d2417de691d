package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// tokKind is the lexical class of a token.
type tokKind uint8

const (
	tokEnd tokKind = iota
	tokOperator
	tokName
	tokVariable
	tokString
	tokNumber
	tokValue // true, false, null
	tokRegex
)

// token is one lexeme. pos is the offset just after it, in UTF-16 code
// units, as jsonata-js reports positions.
type token struct {
	kind tokKind
	str  string  // operator, name, variable name, string literal, regex pattern
	num  float64 // number literal
	val  any     // true/false/nil for tokValue
	re   string  // regex flags
	pos  int
}

// operators lists the operator characters and binding powers.
var operators = map[string]int{
	".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80,
	";": 80, ":": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 20,
	"=": 40, "<": 40, ">": 40, "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40,
	">=": 40, "~>": 40, "and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
}

func isOpChar(c rune) bool {
	switch c {
	case '.', '[', ']', '{', '}', '(', ')', ',', '@', '#', ';', ':', '?', '+', '-', '*', '/',
		'%', '|', '=', '<', '>', '^', '&', '!', '~':
		return true
	}
	return false
}

func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' }

// lexer scans an expression held as UTF-16 code units (positions are JS
// string offsets).
type lexer struct {
	src []rune // code points; pos counts UTF-16 units via offs
	pos int    // index into src
	u16 []int  // u16[i] = UTF-16 offset of src[i]
}

func newLexer(s string) *lexer {
	rs := []rune(s)
	offs := make([]int, len(rs)+1)
	n := 0
	for i, r := range rs {
		offs[i] = n
		n += utf16Units(r)
	}
	offs[len(rs)] = n
	return &lexer{src: rs, u16: offs}
}

func (l *lexer) at(i int) rune {
	if i < 0 || i >= len(l.src) {
		return 0
	}
	return l.src[i]
}

func (l *lexer) offset() int { return l.u16[l.pos] }

func (l *lexer) tok(kind tokKind, s string) *token {
	return &token{kind: kind, str: s, pos: l.offset()}
}

var numRe = regexp.MustCompile(`^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?`)

// next returns the next token, or nil at the end. infix is true where a '/'
// is the division operator rather than the start of a regex.
func (l *lexer) next(infix bool) (*token, *Error) {
	for {
		for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
			l.pos++
		}
		if l.at(l.pos) == '/' && l.at(l.pos+1) == '*' {
			start := l.offset()
			l.pos += 2
			for !(l.at(l.pos) == '*' && l.at(l.pos+1) == '/') {
				l.pos++
				if l.pos >= len(l.src) {
					return nil, newErr("S0106", start)
				}
			}
			l.pos += 2
			continue
		}
		break
	}
	if l.pos >= len(l.src) {
		return nil, nil
	}
	c := l.src[l.pos]
	if !infix && c == '/' {
		l.pos++
		return l.scanRegex()
	}
	if t := l.doubleOp(c); t != nil {
		return t, nil
	}
	if isOpChar(c) {
		l.pos++
		return l.tok(tokOperator, string(c)), nil
	}
	if c == '"' || c == '\'' {
		return l.scanString(c)
	}
	if t, err := l.scanNumber(); t != nil || err != nil {
		return t, err
	}
	if c == '`' {
		l.pos++
		for i := l.pos; i < len(l.src); i++ {
			if l.src[i] == '`' {
				name := string(l.src[l.pos:i])
				l.pos = i + 1
				return l.tok(tokName, name), nil
			}
		}
		l.pos = len(l.src)
		return nil, newErr("S0105", l.offset())
	}
	return l.scanName(), nil
}

// twoCharOps are the operators of two characters, tried before the
// one-character ones.
var twoCharOps = [...]string{"..", ":=", "!=", ">=", "<=", "**", "~>"}

func (l *lexer) doubleOp(c rune) *token {
	d := l.at(l.pos + 1)
	if !isOpChar(d) {
		// The second character of every two-character operator is an
		// operator character: most tokens end here, without the table.
		return nil
	}
	for _, op := range twoCharOps {
		if c == rune(op[0]) && d == rune(op[1]) {
			l.pos += 2
			return l.tok(tokOperator, op)
		}
	}
	return nil
}

// valueName is the value a name stands for: true, false or null.
func valueName(name string) (v any, ok bool) {
	switch name {
	case "true":
		return true, true
	case "false":
		return false, true
	case "null":
		return nil, true
	}
	return nil, false
}

func (l *lexer) scanName() *token {
	i := l.pos
	for i < len(l.src) && !isSpace(l.src[i]) && !isOpChar(l.src[i]) {
		i++
	}
	if l.src[l.pos] == '$' {
		name := string(l.src[l.pos+1 : i])
		l.pos = i
		return l.tok(tokVariable, name)
	}
	name := string(l.src[l.pos:i])
	l.pos = i
	if v, ok := valueName(name); ok {
		t := l.tok(tokValue, name)
		t.val = v
		return t
	}
	switch name {
	case "or", "in", "and":
		return l.tok(tokOperator, name)
	}
	return l.tok(tokName, name)
}

func (l *lexer) scanNumber() (*token, *Error) {
	c := l.src[l.pos]
	if !(c >= '0' && c <= '9') && c != '-' {
		return nil, nil
	}
	end := l.pos
	for end < len(l.src) && end-l.pos < 400 && l.src[end] < 128 {
		end++
	}
	m := numRe.FindString(string(l.src[l.pos:end]))
	if m == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(m, 64)
	if err != nil && !isRangeError(err) || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, newErr("S0102", l.offset()).withToken(m)
	}
	l.pos += len(m)
	t := l.tok(tokNumber, m)
	t.num = f
	return t, nil
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

var escapes = map[rune]string{'"': "\"", '\\': "\\", '/': "/", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t"}

func (l *lexer) scanString(quote rune) (*token, *Error) {
	l.pos++
	var sb strings.Builder
	var pending []uint16 // UTF-16 units from \u escapes, joined into pairs
	flush := func() {
		writeUTF16(&sb, pending)
		pending = pending[:0]
	}
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\\':
			l.pos++
			c = l.at(l.pos)
			if e, ok := escapes[c]; ok && l.pos < len(l.src) {
				flush()
				sb.WriteString(e)
			} else if c == 'u' {
				hex := string(l.src[l.pos+1 : min(l.pos+5, len(l.src))])
				v, err := strconv.ParseUint(hex, 16, 32)
				if len(hex) != 4 || err != nil {
					return nil, newErr("S0104", l.offset())
				}
				pending = append(pending, uint16(v))
				l.pos += 4
			} else {
				return nil, newErr("S0103", l.offset()).withToken(string(c))
			}
		case c == quote:
			flush()
			l.pos++
			return l.tok(tokString, sb.String()), nil
		default:
			flush()
			sb.WriteRune(c)
		}
		l.pos++
	}
	return nil, newErr("S0101", l.offset())
}

func (l *lexer) scanRegex() (*token, *Error) {
	start := l.pos
	depth := 0
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '/' && depth == 0 {
			bs := 0
			for l.at(l.pos-(bs+1)) == '\\' {
				bs++
			}
			if bs%2 == 0 {
				pattern := string(l.src[start:l.pos])
				if pattern == "" {
					return nil, newErr("S0301", l.offset())
				}
				l.pos++
				fs := l.pos
				for l.at(l.pos) == 'i' || l.at(l.pos) == 'm' {
					l.pos++
				}
				t := l.tok(tokRegex, pattern)
				t.re = string(l.src[fs:l.pos])
				return t, nil
			}
		}
		prev := l.at(l.pos - 1)
		if (c == '(' || c == '[' || c == '{') && prev != '\\' {
			depth++
		}
		if (c == ')' || c == ']' || c == '}') && prev != '\\' {
			depth--
		}
		l.pos++
	}
	return nil, newErr("S0302", l.offset())
}

// writeUTF16 appends UTF-16 units to sb; an unpaired surrogate is kept as
// its WTF-8 bytes (invalid UTF-8), so that functions such as
// $encodeUrlComponent can reject it as JavaScript does.
func writeUTF16(sb *strings.Builder, units []uint16) {
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if u >= 0xD800 && u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000 {
			sb.WriteRune(utf16.DecodeRune(u, rune(units[i+1])))
			i++
			continue
		}
		if u >= 0xD800 && u < 0xE000 {
			sb.WriteByte(byte(0xE0 | (u >> 12)))
			sb.WriteByte(byte(0x80 | ((u >> 6) & 0x3F)))
			sb.WriteByte(byte(0x80 | (u & 0x3F)))
			continue
		}
		sb.WriteRune(u)
	}
}
