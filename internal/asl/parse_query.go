package asl

import (
	"fmt"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl/intrinsic"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// The query languages: JSONPath (the default) and JSONata. A machine's
// QueryLanguage is the default of its states; a state may say JSONata in a
// JSONPath machine, but not JSONPath in a JSONata one.

// jsonpathOnly names the fields a JSONata state may not have, and what
// takes their place.
var jsonpathOnly = map[string]string{
	"InputPath":          "Arguments or Output",
	"Parameters":         "Arguments",
	"ResultSelector":     "Output",
	"ResultPath":         "Output or Assign",
	"OutputPath":         "Output",
	"ItemsPath":          "Items",
	"SecondsPath":        "Seconds with an expression",
	"TimestampPath":      "Timestamp with an expression",
	"TimeoutSecondsPath": "TimeoutSeconds with an expression",
	"MaxConcurrencyPath": "MaxConcurrency with an expression",
	"ErrorPath":          "Error with an expression",
	"CausePath":          "Cause with an expression",
	"Result":             "Output",
}

// jsonataOnly names the fields a JSONPath state may not have.
var jsonataOnly = map[string]bool{"Arguments": true, "Output": true, "Items": true, "Condition": true}

// queryLanguage reads a QueryLanguage field: true for JSONata. A missing
// field takes outer, the language of the enclosing machine.
func (p *parser) queryLanguage(f *fields, outer bool) bool {
	ql, ok := f.str("QueryLanguage", false)
	switch {
	case !ok:
		return outer
	case ql == "JSONata":
		return true
	case ql != "JSONPath":
		p.addf(f.at("QueryLanguage"), "must be \"JSONPath\" or \"JSONata\", not %q", ql)
	case outer:
		p.addf(f.at("QueryLanguage"), "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
	}
	return outer
}

// wrongLanguage reports the fields of the other query language that a
// state has, and marks them read.
func (p *parser) wrongLanguage(f *fields, s *State) {
	for k := range f.m {
		if s.jsonata {
			if instead, ok := jsonpathOnly[k]; ok {
				f.used[k] = true
				p.addf(f.at(k), "is a JSONPath field; a JSONata state uses %s", instead)
			}
			continue
		}
		if jsonataOnly[k] {
			f.used[k] = true
			p.addf(f.at(k), "is a JSONata field; set \"QueryLanguage\": \"JSONata\" on the state or the machine to use it")
		}
	}
}

// field compiles a JSONata field of a state, if it is there.
func (p *parser) field(f *fields, s *State, key string) *jfield {
	v, ok := f.raw(key)
	if !ok {
		return nil
	}
	return p.compileJ(f.at(key), key, v, p.roleOf(s, key))
}

// A field's role says which members of $states it may read besides input
// and context: a Task's, Parallel's or Map's Output and Assign read its
// result, a catcher's its error output.
type role uint8

const (
	roleInput role = iota
	roleResult
	roleError
)

// roleOf is the role of a state's field key.
func (p *parser) roleOf(s *State, key string) role {
	switch s.Type {
	case TypeTask, TypeParallel, TypeMap:
		if key == "Output" || key == "Assign" {
			return roleResult
		}
	}
	return roleInput
}

// compileJ compiles the value v of the field key found at where, for the
// state being read, noting what it reads and reporting a $states member
// that does not exist where the field is evaluated.
func (p *parser) compileJ(where, key string, v any, r role) *jfield {
	jf, err := compileField(key, v)
	if err != nil {
		p.addf(where, "%v", err)
		return nil
	}
	if jf.uses.context {
		p.readsCtx = true
		p.cur.jctx = true
	}
	if jf.uses.result && r != roleResult {
		p.addf(where, "$states.result is not available in %s; only the Output and Assign of a Task, Parallel or Map state read the result", key)
	}
	if jf.uses.errorOutput && r != roleError {
		p.addf(where, "$states.errorOutput is not available in %s; only a catcher's Output and Assign read the error output", key)
	}
	return jf
}

// exprOr reads a field that is either a literal that check accepts or a
// JSONata expression string, for a JSONata state.
func (p *parser) exprOr(f *fields, s *State, key string, check func(v any) bool, want string) (*jfield, any, bool) {
	v, ok := f.m[key]
	if !ok {
		return nil, nil, false
	}
	if str, isStr := v.(string); isStr && isExpr(str) {
		return p.field(f, s, key), nil, true
	}
	f.used[key] = true
	if !check(v) {
		p.addf(f.at(key), "must be %s or a JSONata expression \"{%% ... %%}\", not %s", want, value.QuoteForMessage(v))
		return nil, nil, false
	}
	return nil, v, true
}

// jsonataIO reads the fields a JSONata state has in place of the JSONPath
// paths: Output (not on Fail), Arguments (Task and Parallel).
func (p *parser) jsonataIO(f *fields, s *State) {
	if s.Type != TypeFail {
		s.output = p.field(f, s, "Output")
	}
	switch s.Type {
	case TypeTask, TypeParallel:
		s.arguments = p.field(f, s, "Arguments")
		if s.arguments != nil && s.arguments.root.kind == jLiteral {
			if _, obj := s.arguments.root.lit.(map[string]any); !obj && s.Type == TypeParallel {
				p.addf(f.at("Arguments"), "must be an object or a JSONata expression")
			}
		}
	}
}

// assignField reads an Assign field (of a state, a catcher or a choice
// rule): an object whose keys are variable names.
func (p *parser) assignField(f *fields, r role, jsonata bool) *assign {
	v, ok := f.raw("Assign")
	if !ok {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.addf(f.at("Assign"), "must be an object of variable names and values, not %s", value.TypeName(v))
		return nil
	}
	a := &assign{}
	for _, k := range sortedKeys(obj) {
		name := k
		if !jsonata {
			name = strings.TrimSuffix(k, ".$")
		}
		if jsonpath.VariableNameLength(name) != len(name) || name == "states" {
			p.addf(join(f.at("Assign"), k), "%q is not a variable name: a letter or '_', then letters, digits or '_' (and not \"states\", which is reserved)", name)
			continue
		}
		a.names = append(a.names, name)
		if p.varNames == nil {
			p.varNames = map[string]bool{}
		}
		p.varNames[name] = true
	}
	p.usesVars = true
	p.machineAssigns = true
	if jsonata {
		if a.jsonata = p.compileJ(f.at("Assign"), "Assign", obj, r); a.jsonata == nil {
			return nil
		}
		return a
	}
	t, err := intrinsic.CompileTemplate(obj)
	if err != nil {
		p.addf(f.at("Assign"), "%v", err)
		return nil
	}
	a.jsonpath = &template{t: t}
	scanTemplate(obj, false, a.jsonpath)
	return a
}

// jsonataTask reads TimeoutSeconds and HeartbeatSeconds of a JSONata Task:
// positive integers or expressions.
func (p *parser) jsonataTask(f *fields, s *State) {
	positive := func(v any) bool { n, ok := value.Int(v); return ok && n >= 1 }
	if jf, v, ok := p.exprOr(f, s, "TimeoutSeconds", positive, "a positive integer"); ok {
		s.timeoutJ = jf
		if v != nil {
			n, _ := value.Int(v)
			s.timeout = time.Duration(n) * time.Second
		}
	}
	if jf, v, ok := p.exprOr(f, s, "HeartbeatSeconds", positive, "a positive integer"); ok {
		s.heartbeatJ = jf
		if v != nil {
			n, _ := value.Int(v)
			s.heartbeat = time.Duration(n) * time.Second
			if s.timeout > 0 && s.heartbeat >= s.timeout {
				p.addf(f.at("HeartbeatSeconds"), "must be smaller than TimeoutSeconds")
			}
		}
	}
}

// jsonataWait reads the Seconds or Timestamp of a JSONata Wait state.
func (p *parser) jsonataWait(f *fields, s *State) {
	n := 0
	nonNegative := func(v any) bool { i, ok := value.Int(v); return ok && i >= 0 }
	if jf, v, ok := p.exprOr(f, s, "Seconds", nonNegative, "a non-negative integer"); ok {
		n++
		s.waitSecondsJ, s.hasWaitSeconds = jf, jf == nil
		if v != nil {
			s.waitSeconds, _ = value.Int(v)
		}
	}
	isTime := func(v any) bool { str, ok := v.(string); _, err := parseTimestamp(str); return ok && err == nil }
	if jf, v, ok := p.exprOr(f, s, "Timestamp", isTime, "an RFC 3339 timestamp such as 2026-01-01T12:00:00Z"); ok {
		n++
		s.waitTimestampJ, s.hasWaitTimestamp = jf, jf == nil
		if v != nil {
			s.waitTimestamp, _ = parseTimestamp(v.(string))
		}
	}
	if n != 1 {
		p.addf(f.where, "a Wait state needs exactly one of Seconds or Timestamp")
	}
}

// jsonataFail reads the Error and Cause of a JSONata Fail state.
func (p *parser) jsonataFail(f *fields, s *State) {
	isString := func(v any) bool { _, ok := v.(string); return ok }
	if jf, v, ok := p.exprOr(f, s, "Error", isString, "a string"); ok {
		s.errorJ = jf
		if v != nil {
			s.errorName = v.(string)
		}
	}
	if jf, v, ok := p.exprOr(f, s, "Cause", isString, "a string"); ok {
		s.causeJ = jf
		if v != nil {
			s.cause = v.(string)
		}
	}
}

// jsonataMap reads Items, ItemSelector and MaxConcurrency of a JSONata Map.
func (p *parser) jsonataMap(f *fields, s *State) {
	isArray := func(v any) bool { _, ok := v.([]any); return ok }
	if jf, v, ok := p.exprOr(f, s, "Items", isArray, "an array"); ok {
		if jf == nil {
			// An array literal, whose elements may be expressions.
			jf = p.compileJ(f.at("Items"), "Items", v, roleInput)
		}
		s.items = jf
	}
	nonNegativeNumber := func(v any) bool { n, ok := value.Float(v); return ok && n >= 0 }
	for _, k := range []string{"ToleratedFailureCount", "ToleratedFailurePercentage"} {
		if jf, v, ok := p.exprOr(f, s, k, nonNegativeNumber, "a non-negative number"); ok {
			s.tolerated = append(s.tolerated, tolerance{field: k, j: jf, lit: v})
		}
	}
	if v, ok := f.raw("ItemSelector"); ok {
		s.itemSelectorJ = p.compileJ(f.at("ItemSelector"), "ItemSelector", v, roleInput)
	}
	nonNegative := func(v any) bool { i, ok := value.Int(v); return ok && i >= 0 }
	if jf, v, ok := p.exprOr(f, s, "MaxConcurrency", nonNegative, "a non-negative integer"); ok {
		s.maxConcurrencyJ = jf
		if v != nil {
			s.maxConcurrency, _ = value.Int(v)
		}
	}
}

// jsonataCatcher reads a JSONata catcher's Output and Assign.
func (p *parser) jsonataCatcher(cf *fields, c *Catcher) {
	if v, ok := cf.raw("Output"); ok {
		c.output = p.compileJ(cf.at("Output"), "Output", v, roleError)
	}
	c.assign = p.assignField(cf, roleError, true)
}

// jsonataRule reads a JSONata choice rule: its Condition, and its Assign
// and Output.
func (p *parser) jsonataRule(f *fields, r *ChoiceRule) {
	v, ok := f.raw("Condition")
	switch {
	case !ok:
		p.addf(f.at("Condition"), "is required: a JSONata choice rule is a Condition, true, false or \"{%% ... %%}\"")
		return
	case v == true || v == false:
		r.condition = &jfield{name: "Condition", root: jnode{kind: jLiteral, lit: v}}
	default:
		str, isStr := v.(string)
		if !isStr || !isExpr(str) {
			p.addf(f.at("Condition"), "must be true, false or a JSONata expression \"{%% ... %%}\", not %s", value.QuoteForMessage(v))
			return
		}
		r.condition = p.compileJ(f.at("Condition"), "Condition", v, roleInput)
	}
	if v, ok := f.raw("Output"); ok {
		r.output = p.compileJ(f.at("Output"), "Output", v, roleInput)
	}
	r.assign = p.assignField(f, roleInput, true)
}

// checkScopes reports an Assign in a Parallel branch or Map iteration of a
// name that an outer scope assigns too: inner scopes read outer variables
// but cannot assign them.
func checkScopes(p *parser, m *StateMachine, where string, outer map[string]string) {
	own := map[string]string{}
	for _, name := range m.Names {
		s := m.States[name]
		if s == nil {
			continue
		}
		sw := join(join(where, "States"), name)
		for _, a := range s.assigns() {
			for _, v := range a.names {
				if at, ok := outer[v]; ok {
					p.addf(join(sw, "Assign"), "assigns the variable %q, which the outer scope assigns at %s; a Parallel branch or Map iteration may read an outer variable but not assign it", v, at)
				}
				if _, ok := own[v]; !ok {
					own[v] = join(sw, "Assign")
				}
			}
		}
	}
	inner := make(map[string]string, len(outer)+len(own))
	for k, v := range outer {
		inner[k] = v
	}
	for k, v := range own {
		inner[k] = v
	}
	for _, name := range m.Names {
		s := m.States[name]
		if s == nil {
			continue
		}
		sw := join(join(where, "States"), name)
		for i, b := range s.Branches {
			checkScopes(p, b, fmt.Sprintf("%s.Branches[%d]", sw, i), inner)
		}
		if s.Processor != nil {
			checkScopes(p, s.Processor, join(sw, "ItemProcessor"), inner)
		}
	}
}

// assigns lists every Assign of a state: its own, its choice rules' and
// its catchers'.
func (s *State) assigns() []*assign {
	var out []*assign
	if s.assign != nil {
		out = append(out, s.assign)
	}
	for _, r := range s.choices {
		if r.assign != nil {
			out = append(out, r.assign)
		}
	}
	for _, c := range s.Catch {
		if c.assign != nil {
			out = append(out, c.assign)
		}
	}
	return out
}

// setVarCount sets the number of variable names on the machine and every
// branch and item processor in it.
func (m *StateMachine) setVarCount(n int) {
	m.varCount = n
	for _, s := range m.States {
		for _, b := range s.Branches {
			b.setVarCount(n)
		}
		if s.Processor != nil {
			s.Processor.setVarCount(n)
		}
	}
}
