package asl

import (
	"fmt"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// ChoiceRule is one compiled rule of a Choice state: a comparison, or And,
// Or, Not over nested rules. Only top-level rules have Next.
type ChoiceRule struct {
	Next string
	next *State

	op       choiceOp
	variable *jsonpath.Path
	// The right-hand side: a literal (pre-parsed) or a path.
	str       string
	num       float64
	boolean   bool
	ts        time.Time
	valuePath *jsonpath.Path
	pattern   []matchPart // StringMatches
	children  []*ChoiceRule
}

type choiceOp uint8

const (
	opAnd choiceOp = iota + 1
	opOr
	opNot
	opStringEquals
	opStringLessThan
	opStringGreaterThan
	opStringLessThanEquals
	opStringGreaterThanEquals
	opStringMatches
	opNumericEquals
	opNumericLessThan
	opNumericGreaterThan
	opNumericLessThanEquals
	opNumericGreaterThanEquals
	opBooleanEquals
	opTimestampEquals
	opTimestampLessThan
	opTimestampGreaterThan
	opTimestampLessThanEquals
	opTimestampGreaterThanEquals
	opIsNull
	opIsPresent
	opIsNumeric
	opIsString
	opIsBoolean
	opIsTimestamp
)

type operandKind uint8

const (
	kindString operandKind = iota + 1
	kindNumber
	kindBoolean
	kindTimestamp
	kindPattern
	kindTypeTest
)

type opInfo struct {
	op   choiceOp
	kind operandKind
	path bool // the *Path form
}

var comparisonOps = map[string]opInfo{}

func init() {
	add := func(name string, op choiceOp, kind operandKind, hasPath bool) {
		comparisonOps[name] = opInfo{op: op, kind: kind}
		if hasPath {
			comparisonOps[name+"Path"] = opInfo{op: op, kind: kind, path: true}
		}
	}
	add("StringEquals", opStringEquals, kindString, true)
	add("StringLessThan", opStringLessThan, kindString, true)
	add("StringGreaterThan", opStringGreaterThan, kindString, true)
	add("StringLessThanEquals", opStringLessThanEquals, kindString, true)
	add("StringGreaterThanEquals", opStringGreaterThanEquals, kindString, true)
	add("StringMatches", opStringMatches, kindPattern, false)
	add("NumericEquals", opNumericEquals, kindNumber, true)
	add("NumericLessThan", opNumericLessThan, kindNumber, true)
	add("NumericGreaterThan", opNumericGreaterThan, kindNumber, true)
	add("NumericLessThanEquals", opNumericLessThanEquals, kindNumber, true)
	add("NumericGreaterThanEquals", opNumericGreaterThanEquals, kindNumber, true)
	add("BooleanEquals", opBooleanEquals, kindBoolean, true)
	add("TimestampEquals", opTimestampEquals, kindTimestamp, true)
	add("TimestampLessThan", opTimestampLessThan, kindTimestamp, true)
	add("TimestampGreaterThan", opTimestampGreaterThan, kindTimestamp, true)
	add("TimestampLessThanEquals", opTimestampLessThanEquals, kindTimestamp, true)
	add("TimestampGreaterThanEquals", opTimestampGreaterThanEquals, kindTimestamp, true)
	add("IsNull", opIsNull, kindTypeTest, false)
	add("IsPresent", opIsPresent, kindTypeTest, false)
	add("IsNumeric", opIsNumeric, kindTypeTest, false)
	add("IsString", opIsString, kindTypeTest, false)
	add("IsBoolean", opIsBoolean, kindTypeTest, false)
	add("IsTimestamp", opIsTimestamp, kindTypeTest, false)
}

func (p *parser) choice(f *fields, s *State) {
	s.Default, s.hasDefault = f.str("Default", false)
	v, ok := f.raw("Choices")
	if !ok {
		p.addf(f.at("Choices"), "is required: a non-empty array of choice rules")
		return
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		p.addf(f.at("Choices"), "must be a non-empty array of choice rules")
		return
	}
	for i, item := range list {
		where := fmt.Sprintf("%s[%d]", f.at("Choices"), i)
		if r := p.rule(where, item, true); r != nil {
			s.choices = append(s.choices, r)
		}
	}
}

func (p *parser) rule(where string, item any, top bool) *ChoiceRule {
	obj, ok := item.(map[string]any)
	if !ok {
		p.addf(where, "must be an object, not %s", value.TypeName(item))
		return nil
	}
	f := p.fields(where, obj)
	r := &ChoiceRule{}
	if top {
		r.Next, _ = f.str("Next", true)
	} else if f.has("Next") {
		f.raw("Next")
		p.addf(f.at("Next"), "only top-level choice rules have Next")
	}
	f.str("Comment", false)

	var ops []string
	for k := range obj {
		if _, ok := comparisonOps[k]; ok || k == "And" || k == "Or" || k == "Not" {
			ops = append(ops, k)
		}
	}
	if len(ops) != 1 {
		if len(ops) == 0 {
			p.addf(where, "needs a comparison operator (e.g. StringEquals, NumericGreaterThan, IsPresent) or And/Or/Not")
		} else {
			p.addf(where, "has %d operators (%s); use exactly one, or combine rules with And/Or", len(ops), strings.Join(ops, ", "))
		}
		for _, k := range ops {
			f.raw(k)
		}
		f.raw("Variable")
		f.finish("a choice rule")
		return nil
	}
	name := ops[0]
	switch name {
	case "And", "Or":
		r.op = opAnd
		if name == "Or" {
			r.op = opOr
		}
		v, _ := f.raw(name)
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			p.addf(f.at(name), "must be a non-empty array of choice rules")
		}
		for i, c := range list {
			if cr := p.rule(fmt.Sprintf("%s[%d]", f.at(name), i), c, false); cr != nil {
				r.children = append(r.children, cr)
			}
		}
		if f.has("Variable") {
			f.raw("Variable")
			p.addf(f.at("Variable"), "And/Or rules take no Variable; put it in each nested rule")
		}
	case "Not":
		r.op = opNot
		v, _ := f.raw(name)
		if cr := p.rule(f.at(name), v, false); cr != nil {
			r.children = []*ChoiceRule{cr}
		}
		if f.has("Variable") {
			f.raw("Variable")
			p.addf(f.at("Variable"), "a Not rule takes no Variable; put it in the nested rule")
		}
	default:
		info := comparisonOps[name]
		r.op = info.op
		vs, ok := f.str("Variable", true)
		if ok {
			pth, err := jsonpath.Compile(vs)
			if err != nil {
				p.addf(f.at("Variable"), "invalid JSONPath %q: %v", vs, err)
			}
			r.variable = pth
		}
		v, _ := f.raw(name)
		at := f.at(name)
		if info.path {
			s, ok := v.(string)
			if !ok {
				p.addf(at, "must be a JSONPath string, not %s", value.TypeName(v))
				break
			}
			pth, err := jsonpath.Compile(s)
			if err != nil {
				p.addf(at, "invalid JSONPath %q: %v", s, err)
				break
			}
			r.valuePath = pth
			break
		}
		switch info.kind {
		case kindString:
			s, ok := v.(string)
			if !ok {
				p.addf(at, "must be a string, not %s", value.TypeName(v))
			}
			r.str = s
		case kindPattern:
			s, ok := v.(string)
			if !ok {
				p.addf(at, "must be a string pattern, not %s", value.TypeName(v))
			}
			r.pattern = compilePattern(s)
		case kindNumber:
			n, ok := value.Float(v)
			if !ok {
				p.addf(at, "must be a number, not %s", value.TypeName(v))
			}
			r.num = n
		case kindBoolean, kindTypeTest:
			b, ok := v.(bool)
			if !ok {
				p.addf(at, "must be true or false, not %s", value.TypeName(v))
			}
			r.boolean = b
		case kindTimestamp:
			s, ok := v.(string)
			if !ok {
				p.addf(at, "must be an RFC 3339 timestamp string, not %s", value.TypeName(v))
				break
			}
			t, err := parseTimestamp(s)
			if err != nil {
				p.addf(at, "%q is not an RFC 3339 timestamp such as 2026-01-01T12:00:00Z", s)
			}
			r.ts = t
		}
	}
	f.finish("a choice rule")
	return r
}

// eval evaluates the rule on the state's effective input. ctx is the context
// object for "$$" paths, built only when a rule asks for it. An error is a States.Runtime condition: a *Path
// operand that does not exist.
func (r *ChoiceRule) eval(input any, ctx func() any) (bool, error) {
	switch r.op {
	case opAnd:
		for _, c := range r.children {
			ok, err := c.eval(input, ctx)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case opOr:
		for _, c := range r.children {
			ok, err := c.eval(input, ctx)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case opNot:
		ok, err := r.children[0].eval(input, ctx)
		return !ok, err
	}
	v, err := getPath(r.variable, input, ctx)
	present := err == nil
	if r.op == opIsPresent {
		return present == r.boolean, nil
	}
	if !present {
		// AWS fails the execution when Variable names a missing field (only
		// IsPresent may look at one).
		return false, fmt.Errorf("Invalid path '%s': The choice state's condition path references an invalid value.", r.variable)
	}
	switch r.op {
	case opIsNull:
		return (v == nil) == r.boolean, nil
	case opIsNumeric:
		return value.IsNumber(v) == r.boolean, nil
	case opIsString:
		_, ok := v.(string)
		return ok == r.boolean, nil
	case opIsBoolean:
		_, ok := v.(bool)
		return ok == r.boolean, nil
	case opIsTimestamp:
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == r.boolean, nil
	case opStringMatches:
		s, ok := v.(string)
		return ok && matchPattern(r.pattern, s), nil
	}

	// Binary comparisons: resolve the right-hand side.
	rhsStr, rhsNum, rhsBool, rhsTS := r.str, r.num, r.boolean, r.ts
	if r.valuePath != nil {
		rv, err := getPath(r.valuePath, input, ctx)
		if err != nil {
			return false, fmt.Errorf("Invalid path '%s': The choice state's condition path references an invalid value.", r.valuePath)
		}
		var ok bool
		switch {
		case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
			rhsStr, ok = rv.(string)
		case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
			if value.IsNumber(rv) {
				rhsNum, ok = value.Float(rv)
			}
		case r.op == opBooleanEquals:
			rhsBool, ok = rv.(bool)
		default:
			var s string
			if s, ok = rv.(string); ok {
				var err error
				rhsTS, err = parseTimestamp(s)
				ok = err == nil
			}
		}
		if !ok {
			return false, nil
		}
	}
	switch {
	case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		c := strings.Compare(s, rhsStr)
		return compareResult(r.op-opStringEquals, c), nil
	case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
		if !value.IsNumber(v) {
			return false, nil
		}
		n, _ := value.Float(v)
		c := 0
		if n < rhsNum {
			c = -1
		} else if n > rhsNum {
			c = 1
		}
		return compareResult(r.op-opNumericEquals, c), nil
	case r.op == opBooleanEquals:
		b, ok := v.(bool)
		return ok && b == rhsBool, nil
	default:
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return false, nil
		}
		c := t.Compare(rhsTS)
		return compareResult(r.op-opTimestampEquals, c), nil
	}
}

// compareResult maps an operator offset (Equals, LessThan, GreaterThan,
// LessThanEquals, GreaterThanEquals: the order of the op constants) and a
// three-way comparison to the answer.
func compareResult(rel choiceOp, c int) bool {
	switch rel {
	case 0:
		return c == 0
	case 1:
		return c < 0
	case 2:
		return c > 0
	case 3:
		return c <= 0
	default:
		return c >= 0
	}
}

func getPath(p *jsonpath.Path, input any, ctx func() any) (any, error) {
	if p.IsContext() {
		return p.Get(ctx())
	}
	return p.Get(input)
}

// matchPart is a piece of a StringMatches pattern: literal text, or a star.
type matchPart struct {
	star bool
	lit  string
}

// compilePattern splits a StringMatches pattern at unescaped '*'. "\*" is a
// literal star and "\\" a literal backslash.
func compilePattern(s string) []matchPart {
	var parts []matchPart
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*':
			if lit.Len() > 0 {
				parts = append(parts, matchPart{lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, matchPart{star: true})
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, matchPart{lit: lit.String()})
	}
	return parts
}

func matchPattern(parts []matchPart, s string) bool {
	if len(parts) == 0 {
		return s == ""
	}
	if !parts[0].star {
		if !strings.HasPrefix(s, parts[0].lit) {
			return false
		}
		return matchPattern(parts[1:], s[len(parts[0].lit):])
	}
	rest := parts[1:]
	if len(rest) == 0 {
		return true
	}
	for i := 0; i <= len(s); i++ {
		if matchPattern(rest, s[i:]) {
			return true
		}
	}
	return false
}
