package asl

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/intrinsic"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// CountStates counts the states of the machine, those in Parallel branches
// and Map processors included.
func (m *StateMachine) CountStates() int {
	n := 0
	for _, s := range m.States {
		n++
		for _, b := range s.Branches {
			n += b.CountStates()
		}
		if s.Processor != nil {
			n += s.Processor.CountStates()
		}
	}
	return n
}

// Problem is one thing wrong with a document: where (a dotted path such as
// States.ProcessPayment.Retry[0].BackoffRate) and what.
type Problem struct {
	Where   string `json:"where"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Where == "" {
		return p.Message
	}
	return p.Where + ": " + p.Message
}

// ValidationError lists every problem found in a document.
type ValidationError struct {
	Problems []Problem
}

// Error returns the first problem and how many more there are.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid definition"
	}
	s := e.Problems[0].String()
	if n := len(e.Problems) - 1; n == 1 {
		s += " (and 1 more problem)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more problems)", n)
	}
	return s
}

// MaxStateNameLength is the longest state name Step Functions accepts.
const MaxStateNameLength = 80

// Parse parses and validates an ASL document. A document with problems gives
// a *ValidationError naming every state and field at fault.
func Parse(data []byte) (*StateMachine, error) {
	doc, err := value.Decode(data)
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Message: "not valid JSON: " + err.Error()}}}
	}
	m, err := ParseValue(doc)
	if err != nil {
		return nil, err
	}
	m.source = append([]byte(nil), data...)
	return m, nil
}

// ParseValue is Parse for a document already decoded into a value.
func ParseValue(doc any) (*StateMachine, error) {
	p := &parser{}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{Message: "the definition must be a JSON object, not " + value.TypeName(doc)}}}
	}
	m := p.machine("", obj, true)
	checkScopes(p, m, "", nil)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.problems}
	}
	m.readsContext = mentions(doc, "$$") || p.readsCtx
	m.usesVars = p.usesVars
	m.setVarCount(len(p.varNames))
	m.shareWithChildren(m)
	return m, nil
}

// mentions reports whether a key or string anywhere in v contains sub.
func mentions(v any, sub string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, sub)
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, sub) || mentions(e, sub) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if mentions(e, sub) {
				return true
			}
		}
	}
	return false
}

type parser struct {
	problems  []Problem
	resources map[string]string // Task Resources seen, each kept once
	// jsonata is the query language of the machine being read: true for
	// JSONata.
	jsonata bool
	// readsCtx: a JSONata expression reads $states.context. usesVars: an
	// Assign was read. machineAssigns: one was, in the machine being read.
	readsCtx, usesVars, machineAssigns bool
	// cur is the state being read; varNames the variable names assigned.
	cur      *State
	varNames map[string]bool
}

func (p *parser) addf(where, format string, args ...any) {
	p.problems = append(p.problems, Problem{Where: where, Message: fmt.Sprintf(format, args...)})
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	if strings.HasPrefix(field, "[") {
		return prefix + field
	}
	return prefix + "." + field
}

// fields reads one JSON object, remembering which keys were used so that
// unknown ones can be reported.
type fields struct {
	p     *parser
	where string
	m     map[string]any
	used  map[string]bool
}

func (p *parser) fields(where string, m map[string]any) *fields {
	return &fields{p: p, where: where, m: m, used: make(map[string]bool, len(m))}
}

func (f *fields) has(key string) bool {
	_, ok := f.m[key]
	return ok
}

func (f *fields) raw(key string) (any, bool) {
	v, ok := f.m[key]
	if ok {
		f.used[key] = true
	}
	return v, ok
}

func (f *fields) at(key string) string { return join(f.where, key) }

// typed reads key with conv. A field that is there but that conv refuses
// is reported: it must be want, not what is says it is.
func typed[T any](f *fields, key string, conv func(any) (T, bool), want string, is func(any) string) (T, bool) {
	var zero T
	v, ok := f.raw(key)
	if !ok {
		return zero, false
	}
	t, ok := conv(v)
	if !ok {
		f.p.addf(f.at(key), "must be %s, not %s", want, is(v))
		return zero, false
	}
	return t, true
}

// as is a type assertion as a func, for typed.
func as[T any](v any) (T, bool) {
	t, ok := v.(T)
	return t, ok
}

func (f *fields) str(key string, required bool) (string, bool) {
	if required && !f.has(key) {
		f.p.addf(f.at(key), "is required")
		return "", false
	}
	s, ok := typed(f, key, as[string], "a string", value.TypeName)
	if ok && required && s == "" {
		f.p.addf(f.at(key), "must not be empty")
		return "", false
	}
	return s, ok
}

func (f *fields) boolean(key string) (bool, bool) {
	return typed(f, key, as[bool], "true or false", value.TypeName)
}

func (f *fields) integer(key string, min int64) (int64, bool) {
	i, ok := typed(f, key, value.Int, "an integer", value.QuoteForMessage)
	if ok && i < min {
		f.p.addf(f.at(key), "must be >= %d", min)
		return 0, false
	}
	return i, ok
}

func (f *fields) number(key string) (float64, bool) {
	return typed(f, key, value.Float, "a number", value.QuoteForMessage)
}

func (f *fields) path(key string) *jsonpath.Path {
	s, ok := f.str(key, false)
	if !ok {
		return nil
	}
	pth, err := jsonpath.Compile(s)
	if err != nil {
		f.p.addf(f.at(key), "invalid JSONPath %q: %v", s, err)
		return nil
	}
	return pth
}

// optPath reads a path field that may also be null.
func (f *fields) optPath(key string, reference bool) optPath {
	v, ok := f.raw(key)
	if !ok {
		return optPath{}
	}
	if v == nil {
		return optPath{set: true, null: true}
	}
	s, ok := v.(string)
	if !ok {
		f.p.addf(f.at(key), "must be a JSONPath string or null, not %s", value.TypeName(v))
		return optPath{}
	}
	pth, err := jsonpath.Compile(s)
	if err != nil {
		f.p.addf(f.at(key), "invalid JSONPath %q: %v", s, err)
		return optPath{}
	}
	if reference && (!pth.IsReference() || pth.IsContext()) {
		f.p.addf(f.at(key), "%q must be a reference path ($, $.field, $['field'], $.list[0]); wildcards, filters and $$ are not allowed", s)
		return optPath{}
	}
	return optPath{set: true, path: pth}
}

func (f *fields) template(key string) *template {
	v, ok := f.raw(key)
	if !ok {
		return nil
	}
	t, err := intrinsic.CompileTemplate(v)
	if err != nil {
		f.p.addf(f.at(key), "%v", err)
		return nil
	}
	tp := &template{t: t}
	scanTemplate(v, false, tp)
	return tp
}

// scanTemplate notes whether any dynamic field of a template reads the
// context object or draws random numbers.
func scanTemplate(v any, dynamic bool, tp *template) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			scanTemplate(c, strings.HasSuffix(k, ".$"), tp)
		}
	case []any:
		for _, c := range x {
			scanTemplate(c, false, tp)
		}
	case string:
		if dynamic {
			if strings.Contains(x, "$$") {
				tp.usesCtx = true
			}
			if strings.Contains(x, "States.MathRandom") || strings.Contains(x, "States.UUID") {
				tp.usesRnd = true
			}
		}
	}
}

// finish reports every key that was not read.
func (f *fields) finish(what string) {
	var unknown []string
	for k := range f.m {
		if !f.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if hint, ok := unsupported[k]; ok {
			f.p.addf(f.at(k), "%s", hint)
			continue
		}
		f.p.addf(f.at(k), "unknown field for %s", what)
	}
}

// unsupported names fields of real ASL that this engine does not implement,
// with the reason, so a user is told plainly rather than "unknown field".
var unsupported = map[string]string{
	"ItemReader":                     "ItemReader belongs to a Distributed Map; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ResultWriter":                   "ResultWriter belongs to a Distributed Map; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ItemBatcher":                    "ItemBatcher belongs to a Distributed Map; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"Label":                          "Label belongs to a Distributed Map; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ToleratedFailurePercentage":     "ToleratedFailurePercentage applies to a Distributed Map only; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ToleratedFailureCount":          "ToleratedFailureCount applies to a Distributed Map only; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ToleratedFailurePercentagePath": "ToleratedFailurePercentagePath applies to a Distributed Map only; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
	"ToleratedFailureCountPath":      "ToleratedFailureCountPath applies to a Distributed Map only; set ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"",
}

func (p *parser) machine(where string, obj map[string]any, top bool) *StateMachine {
	f := p.fields(where, obj)
	m := &StateMachine{States: map[string]*State{}}
	m.Comment, _ = f.str("Comment", false)
	m.StartAt, _ = f.str("StartAt", true)
	f.used["States"] = true // read below
	if top {
		if v, ok := f.str("Version", false); ok && v != "1.0" {
			p.addf(f.at("Version"), "must be \"1.0\", not %q", v)
		}
		if t, ok := f.integer("TimeoutSeconds", 1); ok {
			m.TimeoutSeconds = t
		}
	}
	outerLang, outerAssigns := p.jsonata, p.machineAssigns
	defer func() { p.jsonata, p.machineAssigns = outerLang, outerAssigns }()
	p.jsonata, p.machineAssigns = p.queryLanguage(f, outerLang), false
	if top {
		f.finish("a state machine")
	} else {
		// Map's ItemProcessor carries ProcessorConfig; the caller reads it.
		f.used["ProcessorConfig"] = true
		f.finish("a branch")
	}
	rawStates, ok := obj["States"]
	if !ok {
		p.addf(join(where, "States"), "is required")
		return m
	}
	statesObj, ok := rawStates.(map[string]any)
	if !ok {
		p.addf(join(where, "States"), "must be an object of states, not %s", value.TypeName(rawStates))
		return m
	}
	if len(statesObj) == 0 {
		p.addf(join(where, "States"), "must hold at least one state")
		return m
	}
	names := make([]string, 0, len(statesObj))
	for name := range statesObj {
		names = append(names, name)
	}
	sort.Strings(names)
	m.Names = names
	for _, name := range names {
		sw := join(join(where, "States"), name)
		if name == "" {
			p.addf(sw, "a state name must not be empty")
		}
		if len(name) > MaxStateNameLength {
			p.addf(sw, "a state name must be at most %d characters", MaxStateNameLength)
		}
		so, ok := statesObj[name].(map[string]any)
		if !ok {
			p.addf(sw, "must be an object, not %s", value.TypeName(statesObj[name]))
			continue
		}
		if s := p.state(sw, name, so); s != nil {
			m.States[name] = s
		}
	}
	m.assigns = p.machineAssigns
	p.link(where, m)
	return m
}

// link resolves Next, Default and Catch targets inside one machine and checks
// that every state is reachable from StartAt.
func (p *parser) link(where string, m *StateMachine) {
	statesWhere := join(where, "States")
	target := func(at, name string) *State {
		if name == "" {
			p.addf(at, "must name a state, not be empty")
			return nil
		}
		s, ok := m.States[name]
		if !ok {
			p.addf(at, "no state named %q in this scope%s", name, suggest(name, m.Names))
			return nil
		}
		return s
	}
	if _, ok := m.States[m.StartAt]; ok || m.StartAt != "" {
		m.start = target(join(where, "StartAt"), m.StartAt)
	} else if _, present := m.States[""]; present {
		p.addf(join(where, "StartAt"), "must name a state, not be empty")
	}
	for _, name := range m.Names {
		s := m.States[name]
		if s == nil {
			continue
		}
		sw := join(statesWhere, name)
		if s.Next != "" || s.hasNext {
			s.next = target(join(sw, "Next"), s.Next)
		}
		if s.Default != "" || s.hasDefault {
			s.defaultNext = target(join(sw, "Default"), s.Default)
		}
		for i, c := range s.Catch {
			if c.Next != "" {
				c.next = target(fmt.Sprintf("%s.Catch[%d].Next", sw, i), c.Next)
			}
		}
		for i, r := range s.choices {
			if r.Next != "" {
				r.next = target(fmt.Sprintf("%s.Choices[%d].Next", sw, i), r.Next)
			}
		}
	}
	if m.start == nil {
		return
	}
	seen := map[*State]bool{}
	var walk func(s *State)
	walk = func(s *State) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		walk(s.next)
		walk(s.defaultNext)
		for _, c := range s.Catch {
			walk(c.next)
		}
		for _, r := range s.choices {
			walk(r.next)
		}
	}
	walk(m.start)
	for _, name := range m.Names {
		if s := m.States[name]; s != nil && !seen[s] {
			p.addf(join(statesWhere, name), "is not reachable from StartAt %q", m.StartAt)
		}
	}
}

func suggest(name string, names []string) string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return ""
}

func (p *parser) state(where, name string, obj map[string]any) *State {
	f := p.fields(where, obj)
	typ, ok := f.str("Type", true)
	if !ok {
		return nil
	}
	st, ok := typeNames[typ]
	if !ok {
		p.addf(f.at("Type"), "unknown state type %q; use Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map", typ)
		return nil
	}
	s := &State{Name: name, Type: st}
	p.cur = s
	s.Comment, _ = f.str("Comment", false)
	s.jsonata = p.queryLanguage(f, p.jsonata)
	p.wrongLanguage(f, s)
	p.transition(f, s)
	if s.jsonata {
		p.jsonataIO(f, s)
	} else {
		p.jsonpathIO(f, s)
	}
	switch st {
	case TypeTask, TypePass, TypeChoice, TypeWait, TypeParallel, TypeMap:
		s.assign = p.assignField(f, p.roleOf(s, "Assign"), s.jsonata)
	}
	switch st {
	case TypeTask, TypeParallel, TypeMap:
		s.Retry = p.retriers(f)
		s.Catch = p.catchers(f, s.jsonata)
	}
	p.byType(f, s)
	f.finish("a " + typ + " state")
	s.reuseInput = mayReuseInput(s)
	return s
}

// transition reads Next or End, for the types that have them.
func (p *parser) transition(f *fields, s *State) {
	switch s.Type {
	case TypeTask, TypePass, TypeWait, TypeParallel, TypeMap:
	default:
		return
	}
	next, hasNext := f.str("Next", false)
	end, hasEnd := f.boolean("End")
	switch {
	case hasNext && hasEnd && end:
		p.addf(f.where, "has both Next and End; a state either moves on or ends")
	case hasNext:
		s.Next, s.hasNext = next, true
	case hasEnd && end:
		s.End = true
	default:
		p.addf(f.where, "needs Next (the state to go to) or \"End\": true")
	}
}

// jsonpathIO reads a JSONPath state's input and output processing, by what
// each type allows.
func (p *parser) jsonpathIO(f *fields, s *State) {
	switch s.Type {
	case TypeTask, TypePass, TypeParallel, TypeMap:
		s.inputPath = f.optPath("InputPath", false)
		s.outputPath = f.optPath("OutputPath", false)
		s.resultPath = f.optPath("ResultPath", true)
		s.parameters = f.template("Parameters")
	case TypeChoice, TypeWait, TypeSucceed:
		s.inputPath = f.optPath("InputPath", false)
		s.outputPath = f.optPath("OutputPath", false)
	}
	switch s.Type {
	case TypeTask, TypeParallel, TypeMap:
		s.selector = f.template("ResultSelector")
	case TypePass:
		if v, ok := f.raw("Result"); ok {
			s.result, s.hasResult = v, true
			s.resultSizeStatic = value.EncodedSize(v)
		}
	}
}

// byType reads the fields of each state type, in the state's language.
func (p *parser) byType(f *fields, s *State) {
	switch s.Type {
	case TypeTask:
		p.task(f, s)
	case TypeChoice:
		p.choice(f, s)
	case TypeWait:
		if s.jsonata {
			p.jsonataWait(f, s)
		} else {
			p.wait(f, s)
		}
	case TypeFail:
		if s.jsonata {
			p.jsonataFail(f, s)
		} else {
			p.fail(f, s)
		}
	case TypeParallel:
		p.parallel(f, s)
	case TypeMap:
		p.mapState(f, s)
	}
}

// mayReuseInput decides, once per state, whether its ResultPath may set its
// field in the state's input in place when the frame owns that input. That
// is safe when the state hands on nothing that holds the input itself: its
// effective input is built only from values below the input's root (or is
// not used at all), so neither the handler nor the result can hold it and
// setting it into itself cannot make a cycle. Parallel and Map states hand
// their effective input to their branches and iterations, and Choice, Wait
// and Succeed states set nothing, so only Task and Pass states qualify.
func mayReuseInput(s *State) bool {
	if s.Type != TypeTask && s.Type != TypePass {
		return false
	}
	if rp := s.resultPath; !rp.set || rp.null || rp.path.IsRoot() {
		return false // the input is kept whole or replaced, not changed
	}
	if ip := s.inputPath; ip.set && (ip.null || ip.path.IsContext() || ip.path.BelowRoot()) {
		return true // the effective input starts below the input's root
	}
	switch {
	case s.parameters != nil:
		return !s.parameters.t.MayHoldInput()
	case s.Type == TypePass:
		return s.hasResult // Result replaces the effective input
	}
	return false // the handler is given the input itself
}

func (p *parser) task(f *fields, s *State) {
	res, ok := f.str("Resource", true)
	if ok {
		integ, err := integration.Parse(res)
		if err != nil {
			p.addf(f.at("Resource"), "%v", err)
		}
		s.integ = integ
		// One string per ARN, so that an execution's cached handler is
		// found by comparing pointers (Execution.handler).
		if r, seen := p.resources[res]; seen {
			res = r
		} else {
			if p.resources == nil {
				p.resources = map[string]string{}
			}
			p.resources[res] = res
		}
		s.Resource = res
		s.lambda = s.integ.Kind == integration.Lambda
	}
	p.credentials(f, s)
	if s.jsonata {
		p.jsonataTask(f, s)
		return
	}
	if t, ok := f.integer("TimeoutSeconds", 1); ok {
		s.timeout = time.Duration(t) * time.Second
		if f.has("TimeoutSecondsPath") {
			p.addf(f.where, "has both TimeoutSeconds and TimeoutSecondsPath; keep one")
		}
	}
	if pth := f.path("TimeoutSecondsPath"); pth != nil {
		s.timeoutPath = pth
	}
	if h, ok := f.integer("HeartbeatSeconds", 1); ok {
		s.heartbeat = time.Duration(h) * time.Second
		if s.timeout > 0 && s.heartbeat >= s.timeout {
			p.addf(f.at("HeartbeatSeconds"), "must be smaller than TimeoutSeconds")
		}
		if f.has("HeartbeatSecondsPath") {
			p.addf(f.where, "has both HeartbeatSeconds and HeartbeatSecondsPath; keep one")
		}
	}
	s.heartbeatPath = f.path("HeartbeatSecondsPath")
}

// objects reads a field that must be an array of objects (Retry, Catch)
// and calls each with the fields of one element.
func (p *parser) objects(f *fields, key, what string, each func(i, n int, of *fields)) {
	v, ok := f.raw(key)
	if !ok {
		return
	}
	list, ok := v.([]any)
	if !ok {
		p.addf(f.at(key), "must be an array of %ss, not %s", what, value.TypeName(v))
		return
	}
	for i, item := range list {
		where := fmt.Sprintf("%s[%d]", f.at(key), i)
		obj, ok := item.(map[string]any)
		if !ok {
			p.addf(where, "must be an object, not %s", value.TypeName(item))
			continue
		}
		of := p.fields(where, obj)
		each(i, len(list), of)
		of.str("Comment", false)
		of.finish("a " + what)
	}
}

func (p *parser) retriers(f *fields) []*Retrier {
	var out []*Retrier
	p.objects(f, "Retry", "retrier", func(i, n int, rf *fields) {
		r := &Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		r.ErrorEquals = p.errorEquals(rf, i == n-1)
		if n, ok := rf.integer("IntervalSeconds", 1); ok {
			if n > 99999999 {
				p.addf(rf.at("IntervalSeconds"), "must be <= 99999999")
			}
			r.IntervalSeconds = float64(n)
		}
		if n, ok := rf.integer("MaxAttempts", 0); ok {
			if n > 99999999 {
				p.addf(rf.at("MaxAttempts"), "must be <= 99999999")
			}
			r.MaxAttempts = int(n)
		}
		if b, ok := rf.number("BackoffRate"); ok {
			if b < 1.0 {
				p.addf(rf.at("BackoffRate"), "must be >= 1.0")
			} else {
				r.BackoffRate = b
			}
		}
		if n, ok := rf.integer("MaxDelaySeconds", 1); ok {
			if n > 31622400 {
				p.addf(rf.at("MaxDelaySeconds"), "must be <= 31622400 (one year)")
			}
			r.MaxDelaySeconds = float64(n)
		}
		if j, ok := rf.str("JitterStrategy", false); ok {
			switch j {
			case "FULL":
				r.JitterFull = true
			case "NONE":
			default:
				p.addf(rf.at("JitterStrategy"), "must be \"FULL\" or \"NONE\", not %q", j)
			}
		}
		out = append(out, r)
	})
	return out
}

func (p *parser) catchers(f *fields, jsonata bool) []*Catcher {
	var out []*Catcher
	p.objects(f, "Catch", "catcher", func(i, n int, cf *fields) {
		c := &Catcher{}
		c.ErrorEquals = p.errorEquals(cf, i == n-1)
		c.Next, _ = cf.str("Next", true)
		if jsonata {
			p.jsonataCatcher(cf, c)
		} else {
			c.resultPath = cf.optPath("ResultPath", true)
			c.assign = p.assignField(cf, roleError, false)
		}
		out = append(out, c)
	})
	return out
}

func (p *parser) errorEquals(f *fields, last bool) []string {
	v, ok := f.raw("ErrorEquals")
	if !ok {
		p.addf(f.at("ErrorEquals"), "is required: list the error names to match, e.g. [\"States.ALL\"]")
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		p.addf(f.at("ErrorEquals"), "must be a non-empty array of error names")
		return nil
	}
	out := make([]string, 0, len(list))
	for j, e := range list {
		s, ok := e.(string)
		if !ok {
			p.addf(fmt.Sprintf("%s[%d]", f.at("ErrorEquals"), j), "must be a string, not %s", value.TypeName(e))
			continue
		}
		if strings.HasPrefix(s, "States.") && !states.Predefined(s) {
			p.addf(fmt.Sprintf("%s[%d]", f.at("ErrorEquals"), j), "%q is not a predefined error name", s)
		}
		if s == states.ALL && (len(list) != 1 || !last) {
			p.addf(f.at("ErrorEquals"), "States.ALL must appear alone, in the last retrier or catcher")
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) wait(f *fields, s *State) {
	n := 0
	if v, ok := f.raw("Seconds"); ok {
		n++
		i, ok := value.Int(v)
		if !ok || i < 0 {
			p.addf(f.at("Seconds"), "must be a non-negative integer, not %s", value.QuoteForMessage(v))
		}
		s.waitSeconds, s.hasWaitSeconds = i, true
	}
	if ts, ok := f.str("Timestamp", false); ok {
		n++
		t, err := parseTimestamp(ts)
		if err != nil {
			p.addf(f.at("Timestamp"), "%q is not an RFC 3339 timestamp such as 2026-01-01T12:00:00Z", ts)
		}
		s.waitTimestamp, s.hasWaitTimestamp = t, true
	}
	if pth := f.path("SecondsPath"); pth != nil {
		n++
		s.waitSecondsPath = pth
	} else if f.has("SecondsPath") {
		n++
	}
	if pth := f.path("TimestampPath"); pth != nil {
		n++
		s.waitTimestampPath = pth
	} else if f.has("TimestampPath") {
		n++
	}
	if n != 1 {
		p.addf(f.where, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath or TimestampPath")
	}
}

func (p *parser) fail(f *fields, s *State) {
	if e, ok := f.str("Error", false); ok {
		s.errorName = e
	}
	if c, ok := f.str("Cause", false); ok {
		s.cause = c
	}
	s.errorDyn = p.dyn(f, "ErrorPath")
	s.causeDyn = p.dyn(f, "CausePath")
	if f.has("Error") && f.has("ErrorPath") {
		p.addf(f.where, "has both Error and ErrorPath; keep one")
	}
	if f.has("Cause") && f.has("CausePath") {
		p.addf(f.where, "has both Cause and CausePath; keep one")
	}
}

func (p *parser) dyn(f *fields, key string) *dynString {
	src, ok := f.str(key, false)
	if !ok {
		return nil
	}
	d := &dynString{field: key, src: src}
	if intrinsic.IsIntrinsic(src) {
		fn, err := intrinsic.Parse(src)
		if err != nil {
			p.addf(f.at(key), "%v", err)
			return nil
		}
		d.fn = fn
		return d
	}
	pth, err := jsonpath.Compile(src)
	if err != nil {
		p.addf(f.at(key), "invalid JSONPath %q: %v", src, err)
		return nil
	}
	d.path = pth
	return d
}

// array reads f's field key, which must be a non-empty array of elems; it
// reports missing when the field is absent.
func (p *parser) array(f *fields, key, missing, elems string) ([]any, bool) {
	v, ok := f.raw(key)
	if !ok {
		p.addf(f.at(key), "%s", missing)
		return nil, false
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		p.addf(f.at(key), "must be a non-empty array of %s", elems)
		return nil, false
	}
	return list, true
}

func (p *parser) parallel(f *fields, s *State) {
	list, _ := p.array(f, "Branches", "is required", "branches")
	for i, b := range list {
		where := fmt.Sprintf("%s[%d]", f.at("Branches"), i)
		obj, ok := b.(map[string]any)
		if !ok {
			p.addf(where, "must be an object, not %s", value.TypeName(b))
			continue
		}
		s.Branches = append(s.Branches, p.machine(where, obj, false))
	}
}

func (p *parser) mapState(f *fields, s *State) {
	// The processor first: its mode decides which fields the Map has.
	p.itemProcessor(f, s)
	if s.jsonata {
		p.jsonataMap(f, s)
	} else {
		p.mapPaths(f, s)
	}
	if s.dist != nil {
		p.distributedFields(f, s)
	}
}

// mapPaths reads a JSONPath Map's ItemsPath, ItemSelector and
// MaxConcurrency.
func (p *parser) mapPaths(f *fields, s *State) {
	s.itemsPath = f.optPath("ItemsPath", false)
	s.itemSelector = f.template("ItemSelector")
	if s.itemSelector != nil && s.parameters != nil {
		p.addf(f.where, "has both ItemSelector and Parameters; Parameters is the legacy name, keep ItemSelector")
	}
	if s.itemSelector == nil && s.parameters != nil {
		// Legacy Map: Parameters selects each item's input.
		s.itemSelector, s.parameters = s.parameters, nil
	}
	if n, ok := f.integer("MaxConcurrency", 0); ok {
		s.maxConcurrency = n
		if f.has("MaxConcurrencyPath") {
			p.addf(f.where, "has both MaxConcurrency and MaxConcurrencyPath; keep one")
		}
	}
	s.maxConcurrencyPath = f.path("MaxConcurrencyPath")
}

// itemProcessor reads a Map's ItemProcessor (or legacy Iterator).
func (p *parser) itemProcessor(f *fields, s *State) {
	proc, hasProc := f.raw("ItemProcessor")
	iter, hasIter := f.raw("Iterator")
	switch {
	case hasProc && hasIter:
		p.addf(f.where, "has both ItemProcessor and Iterator; Iterator is the legacy name, keep ItemProcessor")
		return
	case hasIter:
		proc, s.legacyIterator = iter, true
	case !hasProc:
		p.addf(f.at("ItemProcessor"), "is required: the states that process each item")
		return
	}
	where := f.at("ItemProcessor")
	if s.legacyIterator {
		where = f.at("Iterator")
	}
	obj, ok := proc.(map[string]any)
	if !ok {
		p.addf(where, "must be an object, not %s", value.TypeName(proc))
		return
	}
	if pc, ok := obj["ProcessorConfig"]; ok {
		pcf, ok := pc.(map[string]any)
		if !ok {
			p.addf(join(where, "ProcessorConfig"), "must be an object")
		} else {
			cf := p.fields(join(where, "ProcessorConfig"), pcf)
			mode, _ := cf.str("Mode", false)
			switch mode {
			case "", "INLINE":
			case "DISTRIBUTED":
				s.dist = &distributed{}
			default:
				p.addf(cf.at("Mode"), "must be \"INLINE\" or \"DISTRIBUTED\", not %q", mode)
			}
			if et, ok := cf.str("ExecutionType", false); ok {
				switch {
				case s.dist == nil:
					p.addf(cf.at("ExecutionType"), "applies to a Distributed Map only; set Mode to \"DISTRIBUTED\" or remove it")
				case et == "EXPRESS":
					s.dist.express = true
				case et != "STANDARD":
					p.addf(cf.at("ExecutionType"), "must be \"STANDARD\" or \"EXPRESS\", not %q", et)
				}
			}
			cf.finish("ProcessorConfig")
		}
	}
	s.Processor = p.machine(where, obj, false)
}

// parseTimestamp accepts the ISO-8601 extended offset date-time form Step
// Functions accepts: a date, a 'T', a time with optional fraction, and a zone
// (Z or ±hh:mm).
func parseTimestamp(s string) (time.Time, error) {
	if len(s) < 20 || s[10] != 'T' {
		return time.Time{}, fmt.Errorf("not an RFC 3339 timestamp")
	}
	return time.Parse(time.RFC3339Nano, s)
}

func encodedSize(v any) int { return value.EncodedSize(v) }
