package logsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Pattern is a compiled CloudWatch Logs filter pattern. Two forms are
// served, as CloudWatch Logs writes them:
//
//   - Terms: words that must all appear in the message (case-sensitive), a
//     "quoted phrase" matched as written, ?word for "any of these" (a
//     message matches when it holds one of the ?-terms) and -word for "not
//     this word". An empty pattern matches every event.
//   - JSON: { SELECTOR OP VALUE } comparisons of a field of a JSON message,
//     joined by && or || (&& binds tighter; no parentheses). SELECTOR is
//     $.a.b or $.a[0]; OP is = or != for strings (VALUE "text", where *
//     matches any run of characters) and =, !=, <, <=, >, >= for numbers.
//
// Metric filter forms (space-delimited [a, b] patterns, IS NULL, NOT
// EXISTS, regular expressions) are refused with an error that says so.
type Pattern struct {
	all, not []string // terms that must, and must not, appear
	any      []string // ?terms: one must appear, when there are any
	json     [][]comparison
}

type comparison struct {
	path   []any // string keys and int indexes
	op     string
	str    string
	num    float64
	isNum  bool
	quoted bool
}

// Compile parses a filter pattern.
func Compile(p string) (*Pattern, error) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") {
		return compileJSON(p)
	}
	if strings.HasPrefix(p, "[") || strings.HasPrefix(p, "%") {
		return nil, errors.New("space-delimited and regular expression filter patterns are not served by yafdp local up; use terms or a JSON pattern { $.field = \"value\" }")
	}
	var pat Pattern
	for p != "" {
		var term string
		neg, opt := false, false
		switch p[0] {
		case '-':
			neg, p = true, p[1:]
		case '?':
			opt, p = true, p[1:]
		}
		if strings.HasPrefix(p, `"`) {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, errors.New("unterminated quoted term")
			}
			term, p = p[1:end+1], p[end+2:]
		} else {
			end := strings.IndexAny(p, " \t")
			if end < 0 {
				end = len(p)
			}
			term, p = p[:end], p[end:]
		}
		p = strings.TrimLeft(p, " \t")
		if term == "" {
			continue
		}
		switch {
		case neg:
			pat.not = append(pat.not, term)
		case opt:
			pat.any = append(pat.any, term)
		default:
			pat.all = append(pat.all, term)
		}
	}
	return &pat, nil
}

func compileJSON(p string) (*Pattern, error) {
	if !strings.HasSuffix(p, "}") {
		return nil, errors.New("a JSON filter pattern ends with }")
	}
	body := strings.TrimSpace(p[1 : len(p)-1])
	if strings.ContainsAny(body, "()") {
		return nil, errors.New("parentheses in JSON filter patterns are not served by yafdp local up")
	}
	var pat Pattern
	for _, alt := range splitOutsideQuotes(body, "||") {
		var and []comparison
		for _, term := range splitOutsideQuotes(alt, "&&") {
			c, err := parseComparison(strings.TrimSpace(term))
			if err != nil {
				return nil, err
			}
			and = append(and, c)
		}
		pat.json = append(pat.json, and)
	}
	return &pat, nil
}

// splitOutsideQuotes splits s at sep where sep is not inside a "string".
func splitOutsideQuotes(s, sep string) []string {
	var out []string
	in, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && in:
			i++
		case s[i] == '"':
			in = !in
		case !in && strings.HasPrefix(s[i:], sep):
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, s[start:])
}

func parseComparison(s string) (comparison, error) {
	var c comparison
	if !strings.HasPrefix(s, "$") {
		return c, fmt.Errorf("%q: a JSON comparison starts with a selector such as $.field", s)
	}
	i := 1
	for i < len(s) && !strings.ContainsRune(" \t=!<>", rune(s[i])) {
		i++
	}
	sel := s[1:i]
	for sel != "" {
		switch {
		case sel[0] == '.':
			end := strings.IndexAny(sel[1:], ".[")
			if end < 0 {
				end = len(sel) - 1
			}
			if end == 0 {
				return c, fmt.Errorf("%q: empty field name in the selector", s)
			}
			c.path, sel = append(c.path, sel[1:end+1]), sel[end+1:]
		case sel[0] == '[':
			end := strings.IndexByte(sel, ']')
			n, err := strconv.Atoi(sel[1:max(end, 1)])
			if end < 0 || err != nil {
				return c, fmt.Errorf("%q: an index is written [N]", s)
			}
			c.path, sel = append(c.path, n), sel[end+1:]
		default:
			return c, fmt.Errorf("%q: a selector is written $.a.b or $.a[0]", s)
		}
	}
	rest := strings.TrimSpace(s[i:])
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			c.op, rest = op, strings.TrimSpace(rest[len(op):])
			break
		}
	}
	if c.op == "" || rest == "" {
		return c, fmt.Errorf("%q: a comparison is SELECTOR OP VALUE, with OP one of = != < <= > >=", s)
	}
	switch {
	case strings.HasPrefix(rest, `"`):
		v, err := strconv.Unquote(rest)
		if err != nil {
			return c, fmt.Errorf("%q: bad quoted value", s)
		}
		c.str, c.quoted = v, true
	default:
		if n, err := strconv.ParseFloat(rest, 64); err == nil {
			c.num, c.isNum = n, true
		}
		c.str = rest
	}
	if !c.isNum && c.op != "=" && c.op != "!=" {
		return c, fmt.Errorf("%q: %s compares numbers", s, c.op)
	}
	return c, nil
}

// Match reports whether a message matches the pattern.
func (p *Pattern) Match(msg string) bool {
	if p.json != nil {
		var doc any
		if json.Unmarshal([]byte(msg), &doc) != nil {
			return false
		}
		for _, and := range p.json {
			ok := true
			for i := range and {
				if !and[i].match(doc) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.not {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, t := range p.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

func (c *comparison) match(doc any) bool {
	v := doc
	for _, k := range c.path {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if v, ok = m[k]; !ok {
				return false
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return false
			}
			v = a[k]
		}
	}
	switch v := v.(type) {
	case float64:
		if !c.isNum {
			return c.op == "!="
		}
		switch c.op {
		case "=":
			return v == c.num
		case "!=":
			return v != c.num
		case "<":
			return v < c.num
		case "<=":
			return v <= c.num
		case ">":
			return v > c.num
		case ">=":
			return v >= c.num
		}
	case string:
		if c.op != "=" && c.op != "!=" {
			// A numeric comparison of a string field: CloudWatch Logs
			// compares a string that holds a number as that number.
			n, err := strconv.ParseFloat(v, 64)
			return err == nil && (&comparison{op: c.op, num: c.num, isNum: true}).match(n)
		}
		return wildcard(c.str, v) == (c.op == "=")
	case bool:
		eq := !c.quoted && c.str == strconv.FormatBool(v)
		return eq == (c.op == "=")
	case nil:
		eq := !c.quoted && c.str == "null"
		return eq == (c.op == "=")
	}
	return false
}

// wildcard reports whether s matches pattern, where * matches any run of
// characters and every other character itself.
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
