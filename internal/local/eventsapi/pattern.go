package eventsapi

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Pattern is a compiled event pattern: an object whose leaves are arrays
// of values or filters, as EventBridge matches them.
type Pattern struct {
	fields []patternField
}

type patternField struct {
	key    string
	nested *Pattern  // an object in the pattern
	match  []matcher // an array in the pattern
}

// matcher is one element of a pattern's array.
type matcher struct {
	kind   string // "value", "prefix", "suffix", "anything-but", "exists", "equals-ignore-case", "wildcard", "numeric"
	value  any    // for "value": string, float64, bool or nil
	str    string
	exists bool
	but    []any // anything-but values
	butPre string
	re     *regexp.Regexp
	num    []numericCond
}

type numericCond struct {
	op string
	v  float64
}

// patternError is why a pattern is not valid.
type patternError struct{ reason string }

func (e *patternError) Error() string { return "Event pattern is not valid. Reason: " + e.reason }

func invalid(format string, args ...any) error {
	return &patternError{reason: fmt.Sprintf(format, args...)}
}

// CompilePattern parses an EventPattern. The filters served are exact
// values (strings, numbers, booleans, null), prefix, suffix,
// anything-but (a value, a list, or a prefix), exists,
// equals-ignore-case, wildcard and numeric; $or is not.
func CompilePattern(src string) (*Pattern, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("Filter is not an object")
	}
	if dec.More() {
		return nil, invalid("Filter is not an object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("Filter is not an object")
	}
	return compileObject(obj)
}

func compileObject(obj map[string]any) (*Pattern, error) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := &Pattern{}
	for _, k := range keys {
		if k == "$or" {
			return nil, invalid("$or is not served by yafdp local up")
		}
		switch v := obj[k].(type) {
		case map[string]any:
			n, err := compileObject(v)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, patternField{key: k, nested: n})
		case []any:
			if len(v) == 0 {
				return nil, invalid("Empty arrays are not allowed")
			}
			f := patternField{key: k}
			for _, e := range v {
				m, err := compileMatcher(e)
				if err != nil {
					return nil, err
				}
				f.match = append(f.match, m)
			}
			p.fields = append(p.fields, f)
		default:
			return nil, invalid("'%s' must be an object or an array", k)
		}
	}
	return p, nil
}

func scalar(v any) (any, bool) {
	switch x := v.(type) {
	case string, bool, nil:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return nil, false
}

func compileMatcher(e any) (matcher, error) {
	if s, ok := scalar(e); ok {
		return matcher{kind: "value", value: s}, nil
	}
	obj, ok := e.(map[string]any)
	if !ok || len(obj) != 1 {
		return matcher{}, invalid("Match value must be String, number, true, false, or null")
	}
	for k, v := range obj {
		switch k {
		case "prefix", "suffix", "equals-ignore-case":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("%s match pattern must be a string", k)
			}
			if k == "equals-ignore-case" {
				s = strings.ToLower(s)
			}
			return matcher{kind: k, str: s}, nil
		case "wildcard":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("wildcard match pattern must be a string")
			}
			return matcher{kind: k, re: wildcard(s)}, nil
		case "exists":
			b, ok := v.(bool)
			if !ok {
				return matcher{}, invalid("exists match pattern must be either true or false.")
			}
			return matcher{kind: k, exists: b}, nil
		case "anything-but":
			return anythingBut(v)
		case "numeric":
			return numeric(v)
		default:
			return matcher{}, invalid("Unrecognized match type %s", k)
		}
	}
	return matcher{}, invalid("Match value must be String, number, true, false, or null")
}

// anythingBut compiles {"anything-but": v}: a value, a list of values, or
// {"prefix": p}.
func anythingBut(v any) (matcher, error) {
	m := matcher{kind: "anything-but"}
	switch x := v.(type) {
	case []any:
		for _, y := range x {
			s, ok := scalar(y)
			if !ok {
				return matcher{}, invalid("Inside anything but list, start|null|boolean is not supported.")
			}
			m.but = append(m.but, s)
		}
	case map[string]any:
		pre, ok := x["prefix"].(string)
		if len(x) != 1 || !ok {
			return matcher{}, invalid("Unsupported anything-but pattern")
		}
		m.butPre = pre
	default:
		s, ok := scalar(x)
		if !ok {
			return matcher{}, invalid("Unsupported anything-but pattern")
		}
		m.but = []any{s}
	}
	return m, nil
}

// numeric compiles {"numeric": [op, n, ...]}.
func numeric(v any) (matcher, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 || len(arr)%2 != 0 {
		return matcher{}, invalid("Value of numeric must be an array.")
	}
	m := matcher{kind: "numeric"}
	for i := 0; i < len(arr); i += 2 {
		op, ok1 := arr[i].(string)
		n, ok2 := arr[i+1].(json.Number)
		f, err := n.Float64()
		if !ok1 || !ok2 || err != nil {
			return matcher{}, invalid("Value of numeric must be an array of operator and number pairs.")
		}
		switch op {
		case "<", "<=", "=", ">", ">=":
		default:
			return matcher{}, invalid("Unrecognized numeric range operator: %s", op)
		}
		m.num = append(m.num, numericCond{op, f})
	}
	return m, nil
}

// wildcard turns a wildcard pattern (* matches any run of characters, \*
// a star) into an anchored regular expression.
func wildcard(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`\A`)
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\'):
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+2]))
			i++
		case p[i] == '*':
			b.WriteString(`.*`)
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

// Match reports whether an event (decoded JSON: objects, arrays, strings,
// float64 numbers, booleans, nil) matches the pattern.
func (p *Pattern) Match(event map[string]any) bool {
	for _, f := range p.fields {
		v, present := event[f.key]
		if f.nested != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				if !present && f.nested.allAbsent() {
					continue
				}
				return false
			}
			if !f.nested.Match(obj) {
				return false
			}
			continue
		}
		if !f.matches(v, present) {
			return false
		}
	}
	return true
}

// allAbsent reports whether the pattern matches an absent object: every
// leaf asks for its field not to exist.
func (p *Pattern) allAbsent() bool {
	for _, f := range p.fields {
		if f.nested != nil {
			if !f.nested.allAbsent() {
				return false
			}
			continue
		}
		if !f.matches(nil, false) {
			return false
		}
	}
	return true
}

func (f *patternField) matches(v any, present bool) bool {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if f.matchOne(e, true) {
				return true
			}
		}
		return false
	}
	return f.matchOne(v, present)
}

func (f *patternField) matchOne(v any, present bool) bool {
	for i := range f.match {
		if f.match[i].match(v, present) {
			return true
		}
	}
	return false
}

func (m *matcher) match(v any, present bool) bool {
	if m.kind == "exists" {
		_, obj := v.(map[string]any)
		return m.exists == (present && !obj)
	}
	if !present {
		return false
	}
	s, isStr := v.(string)
	switch m.kind {
	case "value":
		return v == m.value
	case "prefix":
		return isStr && strings.HasPrefix(s, m.str)
	case "suffix":
		return isStr && strings.HasSuffix(s, m.str)
	case "equals-ignore-case":
		return isStr && strings.ToLower(s) == m.str
	case "wildcard":
		return isStr && m.re.MatchString(s)
	case "anything-but":
		if m.butPre != "" {
			return isStr && !strings.HasPrefix(s, m.butPre)
		}
		for _, b := range m.but {
			if v == b {
				return false
			}
		}
		return true
	case "numeric":
		n, ok := v.(float64)
		if !ok {
			return false
		}
		for _, c := range m.num {
			var ok bool
			switch c.op {
			case "<":
				ok = n < c.v
			case "<=":
				ok = n <= c.v
			case "=":
				ok = math.Abs(n-c.v) < 1e-9
			case ">":
				ok = n > c.v
			case ">=":
				ok = n >= c.v
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return false
}
