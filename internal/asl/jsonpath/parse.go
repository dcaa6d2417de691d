package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// parser reads a path, or a filter inside one, from src. Errors carry the
// byte offset in src.
type parser struct {
	src string
	pos int
}

func (ps *parser) fail(at int, format string, args ...any) error {
	return &SyntaxError{Path: ps.src, Offset: at, Msg: fmt.Sprintf(format, args...)}
}

func (ps *parser) eof() bool { return ps.pos >= len(ps.src) }

// peek returns the current byte, or 0 at the end.
func (ps *parser) peek() byte {
	if ps.pos < len(ps.src) {
		return ps.src[ps.pos]
	}
	return 0
}

func (ps *parser) peekAt(i int) byte {
	if i < len(ps.src) {
		return ps.src[i]
	}
	return 0
}

func (ps *parser) skipBlanks() {
	for ps.pos < len(ps.src) && isBlank(ps.src[ps.pos]) {
		ps.pos++
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// describe names a byte for an error message.
func describe(c byte) string {
	if c >= 0x80 {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// endsPathInFilter reports whether c ends a path inside a filter: the path
// "@.a" in "@.a<=3" or "@.a)" stops before it.
func endsPathInFilter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '<', '>', '=', '!', '~', '&', '|', ')', ']', ',':
		return true
	}
	return false
}

// segments reads the steps that follow "$", "$$" or "@". At the top level
// it reads to the end of src; in a filter it stops where endsPathInFilter says.
func (ps *parser) segments(inFilter bool) ([]segment, error) {
	var segs []segment
	for !ps.eof() {
		c := ps.peek()
		switch {
		case c == '.':
			start := ps.pos
			scan := ps.peekAt(ps.pos+1) == '.'
			if scan {
				ps.pos += 2
			} else {
				ps.pos++
			}
			next := ps.peek()
			if ps.eof() || (inFilter && endsPathInFilter(next)) {
				if scan {
					return nil, ps.fail(start, "a path must not end with '..'")
				}
				return nil, ps.fail(start, "a path must not end with '.'")
			}
			if next == '.' {
				return nil, ps.fail(ps.pos, "unexpected '.'")
			}
			if scan {
				segs = append(segs, segment{kind: segScan})
			}
			var sg segment
			var err error
			switch next {
			case '[':
				sg, err = ps.bracket()
			case '*':
				ps.pos++
				sg = segment{kind: segWildcard}
			default:
				sg, err = ps.dotName(inFilter)
			}
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
		case c == '[':
			sg, err := ps.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, sg)
		case inFilter && endsPathInFilter(c):
			return segs, nil
		default:
			return nil, ps.fail(ps.pos, "unexpected %s: expected '.' or '['", describe(c))
		}
	}
	return segs, nil
}

// dotName reads the name after a '.'. Like Jayway it ends at '.', '[' or
// the end; unlike Jayway it rejects quotes and closing brackets, which are
// nearly always typos.
func (ps *parser) dotName(inFilter bool) (segment, error) {
	start := ps.pos
	for !ps.eof() {
		c := ps.peek()
		if c == '.' || c == '[' || (inFilter && endsPathInFilter(c)) {
			break
		}
		switch {
		case c == '(':
			return segment{}, ps.fail(start, "functions such as %s() are not supported by Step Functions", ps.src[start:ps.pos])
		case isBlank(c):
			return segment{}, ps.fail(ps.pos, "blank in a field name: use bracket notation, e.g. ['%s ...']", ps.src[start:ps.pos])
		case c == ']' || c == ')' || c == '\'' || c == '"':
			return segment{}, ps.fail(ps.pos, "unexpected %s in a field name", describe(c))
		}
		ps.pos++
	}
	return segment{kind: segField, name: ps.src[start:ps.pos], quote: '\''}, nil
}

// bracket reads one [...] step; ps.pos is at the '['.
func (ps *parser) bracket() (segment, error) {
	open := ps.pos
	ps.pos++
	ps.skipBlanks()
	if ps.eof() {
		return segment{}, ps.fail(open, "missing ']'")
	}
	var sg segment
	var err error
	switch c := ps.peek(); {
	case c == '\'' || c == '"':
		sg, err = ps.quotedNames(open)
	case c == '*':
		ps.pos++
		sg = segment{kind: segWildcard}
	case c == '?':
		sg, err = ps.filterStep()
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		return ps.indexes(open)
	case c == ']':
		return segment{}, ps.fail(open, "empty brackets")
	default:
		return segment{}, ps.fail(ps.pos, "unexpected %s after '['", describe(c))
	}
	if err == nil {
		err = ps.expect(']', open, "missing ']'", "unexpected %s: expected ']'")
	}
	if err != nil {
		return segment{}, err
	}
	return sg, nil
}

// expect takes c, after blanks. At the end of the path it reports missing
// at open; before anything else, unexpected (a format for what it found).
func (ps *parser) expect(c byte, open int, missing, unexpected string) error {
	ps.skipBlanks()
	if ps.eof() {
		return ps.fail(open, "%s", missing)
	}
	if ps.peek() != c {
		return ps.fail(ps.pos, unexpected, describe(ps.peek()))
	}
	ps.pos++
	return nil
}

// quotedNames reads 'a' or 'a','b' (or with double quotes). The names are
// kept as written: a backslash only stops the next character from closing
// the name. That is what Step Functions does; see the package comment.
func (ps *parser) quotedNames(open int) (segment, error) {
	quote := ps.peek()
	var names []string
	for {
		q := ps.peek()
		if q != '\'' && q != '"' {
			if ps.eof() {
				return segment{}, ps.fail(open, "missing ']'")
			}
			return segment{}, ps.fail(ps.pos, "unexpected %s: expected a quoted name", describe(q))
		}
		if q != quote {
			return segment{}, ps.fail(ps.pos, "mixed quotes in a list of names")
		}
		name, err := ps.quoted()
		if err != nil {
			return segment{}, err
		}
		names = append(names, name)
		ps.skipBlanks()
		if ps.peek() != ',' {
			break
		}
		ps.pos++
		ps.skipBlanks()
	}
	if len(names) == 1 {
		return segment{kind: segField, name: names[0], quote: quote}, nil
	}
	return segment{kind: segFields, names: names, quote: quote}, nil
}

// indexes reads [0], [-1], [0,2], [1:], [:2] or [1:3]; ps.pos is at the
// first significant character after '['.
func (ps *parser) indexes(open int) (segment, error) {
	end := strings.IndexByte(ps.src[ps.pos:], ']')
	if end < 0 {
		return segment{}, ps.fail(open, "missing ']'")
	}
	start := ps.pos
	inner := ps.src[start : start+end]
	ps.pos = start + end + 1
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if !(c >= '0' && c <= '9') && c != '-' && c != ':' && c != ',' && !isBlank(c) {
			return segment{}, ps.fail(start+i, "unexpected %s in an array index", describe(c))
		}
	}
	if strings.Contains(inner, ":") {
		parts := strings.Split(inner, ":")
		if len(parts) > 2 {
			return segment{}, ps.fail(start+strings.LastIndexByte(inner, ':'), "slice steps are not supported by Step Functions")
		}
		sg := segment{kind: segSlice}
		var err error
		if s := strings.TrimSpace(parts[0]); s != "" {
			sg.hasFrom = true
			if sg.from, err = ps.integer(s, start); err != nil {
				return segment{}, err
			}
		}
		if s := strings.TrimSpace(parts[1]); s != "" {
			sg.hasTo = true
			if sg.to, err = ps.integer(s, start+len(parts[0])+1); err != nil {
				return segment{}, err
			}
		}
		if !sg.hasFrom && !sg.hasTo {
			return segment{}, ps.fail(start, "a slice needs a start or an end")
		}
		return sg, nil
	}
	var idxs []int
	off := start
	for _, part := range strings.Split(inner, ",") {
		n, err := ps.integer(strings.TrimSpace(part), off)
		if err != nil {
			return segment{}, err
		}
		idxs = append(idxs, n)
		off += len(part) + 1
	}
	if len(idxs) == 1 {
		return segment{kind: segIndex, index: idxs[0]}, nil
	}
	return segment{kind: segIndexes, indexes: idxs}, nil
}

// integer parses an index the way Java's Integer.parseInt does.
func (ps *parser) integer(s string, at int) (int, error) {
	if s == "" {
		return 0, ps.fail(at, "missing array index")
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, ps.fail(at, "invalid array index %q", s)
	}
	return int(n), nil
}

// filterStep reads ?(...) ; ps.pos is at the '?'.
func (ps *parser) filterStep() (segment, error) {
	ps.pos++
	ps.skipBlanks()
	lp := ps.pos
	if err := ps.expect('(', lp, "missing '(' after '?'", "unexpected %s: expected '(' after '?'"); err != nil {
		return segment{}, err
	}
	f, err := ps.filterOr()
	if err == nil {
		err = ps.expect(')', lp, "unterminated filter: missing ')'", "unexpected %s in filter: expected ')'")
	}
	if err != nil {
		return segment{}, err
	}
	return segment{kind: segFilter, filter: f}, nil
}
