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

	// A JSONata rule is its Condition; a top-level rule of either language
	// may Assign, and a JSONata one may set the Output.
	condition *jfield
	assign    *assign
	output    *jfield

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
	if list, ok := p.array(f, "Choices", "is required: a non-empty array of choice rules", "choice rules"); ok {
		s.choices = p.rules(f.at("Choices"), list, true, s.jsonata)
	}
}

// rules compiles the choice rules of list, the array at where, leaving out
// those that do not compile.
func (p *parser) rules(where string, list []any, top, jsonata bool) []*ChoiceRule {
	var rules []*ChoiceRule
	for i, item := range list {
		if r := p.rule(fmt.Sprintf("%s[%d]", where, i), item, top, jsonata); r != nil {
			rules = append(rules, r)
		}
	}
	return rules
}

func (p *parser) rule(where string, item any, top, jsonata bool) *ChoiceRule {
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
	if jsonata {
		p.jsonataRule(f, r)
		f.finish("a JSONata choice rule")
		return r
	}
	if top {
		r.assign = p.assignField(f, roleInput, false)
	}
	name, ok := p.ruleOperator(where, f, obj)
	if !ok {
		f.finish("a choice rule")
		return nil
	}
	switch name {
	case "And", "Or", "Not":
		p.logicRule(f, r, name)
	default:
		p.comparisonRule(f, r, name)
	}
	f.finish("a choice rule")
	return r
}

// ruleOperator finds the one operator of a choice rule; with none or more
// than one it reports the rule and reads the fields it would have read.
func (p *parser) ruleOperator(where string, f *fields, obj map[string]any) (string, bool) {
	var ops []string
	for k := range obj {
		if _, ok := comparisonOps[k]; ok || k == "And" || k == "Or" || k == "Not" {
			ops = append(ops, k)
		}
	}
	if len(ops) == 1 {
		return ops[0], true
	}
	if len(ops) == 0 {
		p.addf(where, "needs a comparison operator (e.g. StringEquals, NumericGreaterThan, IsPresent) or And/Or/Not")
	} else {
		p.addf(where, "has %d operators (%s); use exactly one, or combine rules with And/Or", len(ops), strings.Join(ops, ", "))
	}
	for _, k := range ops {
		f.raw(k)
	}
	f.raw("Variable")
	return "", false
}

// logicRule compiles And, Or and Not rules, whose operands are rules.
func (p *parser) logicRule(f *fields, r *ChoiceRule, name string) {
	misplaced := "And/Or rules take no Variable; put it in each nested rule"
	switch name {
	case "Not":
		r.op = opNot
		v, _ := f.raw(name)
		if cr := p.rule(f.at(name), v, false, false); cr != nil {
			r.children = []*ChoiceRule{cr}
		}
		misplaced = "a Not rule takes no Variable; put it in the nested rule"
	case "Or":
		r.op = opOr
	default:
		r.op = opAnd
	}
	if r.op != opNot {
		list, _ := p.array(f, name, "", "choice rules")
		r.children = p.rules(f.at(name), list, false, false)
	}
	if f.has("Variable") {
		f.raw("Variable")
		p.addf(f.at("Variable"), "%s", misplaced)
	}
}

// comparisonRule compiles a rule that compares Variable with a literal or
// a path, or tests its type.
func (p *parser) comparisonRule(f *fields, r *ChoiceRule, name string) {
	info := comparisonOps[name]
	r.op = info.op
	if vs, ok := f.str("Variable", true); ok {
		pth, err := jsonpath.Compile(vs)
		if err != nil {
			p.addf(f.at("Variable"), "invalid JSONPath %q: %v", vs, err)
		}
		r.variable = pth
	}
	v, _ := f.raw(name)
	at := f.at(name)
	if !info.path {
		p.literal(at, v, info.kind, r)
		return
	}
	s, ok := v.(string)
	if !ok {
		p.addf(at, "must be a JSONPath string, not %s", value.TypeName(v))
		return
	}
	pth, err := jsonpath.Compile(s)
	if err != nil {
		p.addf(at, "invalid JSONPath %q: %v", s, err)
		return
	}
	r.valuePath = pth
}

// literal sets the right-hand side of a comparison from v, which must be of
// kind.
func (p *parser) literal(at string, v any, kind operandKind, r *ChoiceRule) {
	switch kind {
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
			return
		}
		t, err := parseTimestamp(s)
		if err != nil {
			p.addf(at, "%q is not an RFC 3339 timestamp such as 2026-01-01T12:00:00Z", s)
		}
		r.ts = t
	}
}

// eval evaluates the rule on the state's effective input. ctx is the
// context object for "$$" paths, built only when a rule asks for it. An
// error is a States.Runtime condition: a *Path operand that does not exist.
func (r *ChoiceRule) eval(input any, env *choiceEnv) (bool, error) {
	switch r.op {
	case opAnd, opOr, opNot:
		return r.evalLogic(input, env)
	}
	v, err := env.get(r.variable, input)
	present := err == nil
	if r.op == opIsPresent {
		return present == r.boolean, nil
	}
	if !present {
		// AWS fails the execution when Variable names a missing field (only
		// IsPresent may look at one).
		return false, invalidChoicePath(r.variable)
	}
	if r.op >= opIsNull || r.op == opStringMatches {
		return r.test(v), nil
	}
	rhs := operand{str: r.str, num: r.num, boolean: r.boolean, ts: r.ts}
	if r.valuePath != nil {
		rv, err := env.get(r.valuePath, input)
		if err != nil {
			return false, invalidChoicePath(r.valuePath)
		}
		if !r.resolve(rv, &rhs) {
			return false, nil
		}
	}
	return r.compare(v, &rhs), nil
}

func invalidChoicePath(p *jsonpath.Path) error {
	return fmt.Errorf("Invalid path '%s': The choice state's condition path references an invalid value.", p)
}

// evalLogic evaluates And, Or and Not rules.
func (r *ChoiceRule) evalLogic(input any, env *choiceEnv) (bool, error) {
	if r.op == opNot {
		ok, err := r.children[0].eval(input, env)
		return !ok, err
	}
	// And stops at the first rule that fails, Or at the first that holds.
	stop := r.op == opOr
	for _, c := range r.children {
		ok, err := c.eval(input, env)
		if err != nil || ok == stop {
			return ok, err
		}
	}
	return !stop, nil
}

// test evaluates the type tests and StringMatches on the Variable's value.
func (r *ChoiceRule) test(v any) bool {
	switch r.op {
	case opIsNull:
		return (v == nil) == r.boolean
	case opIsNumeric:
		return value.IsNumber(v) == r.boolean
	case opIsString:
		_, ok := v.(string)
		return ok == r.boolean
	case opIsBoolean:
		_, ok := v.(bool)
		return ok == r.boolean
	case opIsTimestamp:
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == r.boolean
	default: // opStringMatches
		s, ok := v.(string)
		return ok && matchPattern(r.pattern, s)
	}
}

// operand is the right-hand side of a comparison.
type operand struct {
	str     string
	num     float64
	boolean bool
	ts      time.Time
}

// resolve sets rhs from rv, the value a *Path operand found, and reports
// whether it is of the comparison's kind (a comparison with a value of
// another kind is false).
func (r *ChoiceRule) resolve(rv any, rhs *operand) bool {
	var ok bool
	switch {
	case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
		rhs.str, ok = rv.(string)
	case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
		if value.IsNumber(rv) {
			rhs.num, ok = value.Float(rv)
		}
	case r.op == opBooleanEquals:
		rhs.boolean, ok = rv.(bool)
	default:
		var s string
		if s, ok = rv.(string); ok {
			var err error
			rhs.ts, err = parseTimestamp(s)
			ok = err == nil
		}
	}
	return ok
}

// compare evaluates a binary comparison of the Variable's value v with rhs.
func (r *ChoiceRule) compare(v any, rhs *operand) bool {
	switch {
	case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
		s, ok := v.(string)
		return ok && compareResult(r.op-opStringEquals, strings.Compare(s, rhs.str))
	case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
		if !value.IsNumber(v) {
			return false
		}
		n, _ := value.Float(v)
		c := 0
		if n < rhs.num {
			c = -1
		} else if n > rhs.num {
			c = 1
		}
		return compareResult(r.op-opNumericEquals, c)
	case r.op == opBooleanEquals:
		b, ok := v.(bool)
		return ok && b == rhs.boolean
	default:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := parseTimestamp(s)
		return err == nil && compareResult(r.op-opTimestampEquals, t.Compare(rhs.ts))
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

// choiceEnv is what a choice rule's paths read besides the input: the
// context object, built when first asked for, and the variables.
type choiceEnv struct {
	x *Execution
	f *frame
}

func (env *choiceEnv) get(p *jsonpath.Path, input any) (any, error) {
	return env.x.getPath(env.f, p, input)
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
