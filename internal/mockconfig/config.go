package mockconfig

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/input"
)

// MaxFileBytes is the largest mock config Load reads. Real ones are a few
// kilobytes; a corpus merged into one file stays far below.
const MaxFileBytes = 32 << 20

// problem is an *input.Error about a mock config: the file it was read
// from (when known), the path of the value at fault in the document
// (MockedResponses.MockedLambdaRetry["1-2"].Throw.Error) as its field, and
// what is wrong, with how to fix it.
func problem(file, path, text string) *input.Error {
	return input.Errorf(input.Field(path), "%s", text).At(file, 0)
}

// Config is a parsed and checked mock config.
type Config struct {
	// StateMachines maps a state machine name to its test cases.
	StateMachines map[string]*StateMachine
	// Responses maps a mocked response name to its answers.
	Responses map[string]*Response
	file      string
}

// StateMachine holds the test cases of one state machine.
type StateMachine struct {
	Name      string
	TestCases map[string]*TestCase
}

// TestCase maps Task state names to mocked responses.
type TestCase struct {
	Name string
	// States maps a state name to the name of its mocked response.
	States map[string]string
}

// Response is one mocked response: its answers by invocation index, without
// gaps from 0, and yafdp's extension of it, if any.
type Response struct {
	Name    string
	Answers []*Answer // sorted by From; none for a response that is only a Fake
	Ext     *Extension
}

// Answer is what a range of invocations gets: a Return or a Throw.
type Answer struct {
	// From and To are the first and last invocation index it serves.
	From, To int
	// Return is the task's result when Throw is nil (any JSON value, null
	// included).
	Return any
	// Throw is the failure the task raises.
	Throw *Throw

	err error // Throw as the engine's error
}

// Throw is a mocked failure. Error may be empty: a failure that names no
// error, which only States.ALL catches.
type Throw struct {
	Error string
	Cause string
}

// Load reads and checks the mock config in file.
func Load(file string) (*Config, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, problem(file, "", "no such file; give the path of a mock config (MockConfigFile.json)")
		}
		return nil, problem(file, "", err.Error())
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, problem(file, "", err.Error())
	}
	if len(data) > MaxFileBytes {
		return nil, problem(file, "", fmt.Sprintf("the file is larger than %d MiB; a mock config is a small JSON document", MaxFileBytes>>20))
	}
	c, err := Parse(data)
	if err != nil {
		if e, ok := input.As(err); ok {
			e.File = file
		}
		return nil, err
	}
	c.file = file
	return c, nil
}

// File returns the path the config was loaded from ("" when parsed from
// bytes).
func (c *Config) File() string { return c.file }

// Parse reads and checks a mock config: every test case names a mocked
// response that exists, and every response has well-formed answers.
func Parse(data []byte) (*Config, error) {
	doc, err := value.Decode(data)
	if err != nil {
		return nil, problem("", "", "not valid JSON: "+err.Error())
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, problem("", "", "a mock config is a JSON object with StateMachines and MockedResponses, not "+value.TypeName(doc))
	}
	for _, k := range sortedKeys(top) {
		if k != "StateMachines" && k != "MockedResponses" && k != ExtensionKey {
			return nil, problem("", k, "unknown field; a mock config has StateMachines, MockedResponses and yafdp's extensions under "+ExtensionKey)
		}
	}
	c := &Config{StateMachines: map[string]*StateMachine{}, Responses: map[string]*Response{}}
	responses, err := object(top, "MockedResponses", "MockedResponses", true)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(responses) {
		r, err := parseResponse(name, responses[name])
		if err != nil {
			return nil, err
		}
		c.Responses[name] = r
	}
	if ext, ok := top[ExtensionKey]; ok {
		if err := c.parseExtensions(ext); err != nil {
			return nil, err
		}
	}
	machines, err := object(top, "StateMachines", "StateMachines", true)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(machines) {
		sm, err := c.parseMachine(name, machines[name])
		if err != nil {
			return nil, err
		}
		c.StateMachines[name] = sm
	}
	return c, nil
}

func (c *Config) parseMachine(name string, v any) (*StateMachine, error) {
	at := "StateMachines" + key(name)
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, "must be an object with TestCases, not "+value.TypeName(v))
	}
	for _, k := range sortedKeys(obj) {
		if k != "TestCases" {
			return nil, problem("", at+key(k), "unknown field; a state machine has only TestCases")
		}
	}
	cases, err := object(obj, "TestCases", at+".TestCases", true)
	if err != nil {
		return nil, err
	}
	sm := &StateMachine{Name: name, TestCases: map[string]*TestCase{}}
	for _, cn := range sortedKeys(cases) {
		cat := at + ".TestCases" + key(cn)
		states, ok := cases[cn].(map[string]any)
		if !ok {
			return nil, problem("", cat, "must be an object mapping Task state names to mocked response names, not "+value.TypeName(cases[cn]))
		}
		tc := &TestCase{Name: cn, States: make(map[string]string, len(states))}
		for _, state := range sortedKeys(states) {
			resp, ok := states[state].(string)
			if !ok {
				return nil, problem("", cat+key(state), "must be the name of a mocked response, not "+value.TypeName(states[state]))
			}
			if _, ok := c.Responses[resp]; !ok {
				return nil, problem("", cat+key(state), fmt.Sprintf("no mocked response named %q in MockedResponses%s", resp, suggest(resp, sortedKeys(c.Responses))))
			}
			tc.States[state] = resp
		}
		sm.TestCases[cn] = tc
	}
	return sm, nil
}

func parseResponse(name string, v any) (*Response, error) {
	at := "MockedResponses" + key(name)
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, `must be an object of answers by invocation index, as in {"0": {"Return": {...}}}, not `+value.TypeName(v))
	}
	if len(obj) == 0 {
		return nil, problem("", at, `has no answers; add one per invocation index, as in {"0": {"Return": {...}}}`)
	}
	r := &Response{Name: name}
	for _, idx := range sortedKeys(obj) {
		a, err := parseAnswer(at+"["+strconv.Quote(idx)+"]", idx, obj[idx])
		if err != nil {
			return nil, err
		}
		r.Answers = append(r.Answers, a)
	}
	sort.Slice(r.Answers, func(i, j int) bool { return r.Answers[i].From < r.Answers[j].From })
	next := 0
	for _, a := range r.Answers {
		switch {
		case a.From < next:
			return nil, problem("", at, fmt.Sprintf("invocation %d is answered twice (overlapping ranges); give each index one answer", a.From))
		case a.From > next:
			return nil, problem("", at, fmt.Sprintf("no answer for invocation %d; indexes run from 0 without gaps, as in \"0\", \"1-2\", \"3\"", next))
		}
		next = a.To + 1
	}
	return r, nil
}

func parseAnswer(at, idx string, v any) (*Answer, error) {
	from, to, err := parseRange(idx)
	if err != nil {
		return nil, problem("", at, err.Error())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, "must be an object with Return or Throw, not "+value.TypeName(v))
	}
	a := &Answer{From: from, To: to}
	ret, hasReturn := obj["Return"]
	throw, hasThrow := obj["Throw"]
	for _, k := range sortedKeys(obj) {
		if k != "Return" && k != "Throw" {
			return nil, problem("", at+key(k), "unknown field; an answer has Return or Throw")
		}
	}
	switch {
	case hasReturn && hasThrow:
		return nil, problem("", at, "has both Return and Throw; keep one")
	case hasReturn:
		a.Return = ret
	case hasThrow:
		t, err := parseThrow(at+".Throw", throw)
		if err != nil {
			return nil, err
		}
		a.Throw, a.err = t, states.New(t.Error, t.Cause)
	default:
		return nil, problem("", at, "needs Return (the result) or Throw (an Error and a Cause)")
	}
	return a, nil
}

func parseThrow(at string, v any) (*Throw, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, `must be an object such as {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}, not `+value.TypeName(v))
	}
	t := &Throw{}
	for _, k := range sortedKeys(obj) {
		s, ok := obj[k].(string)
		switch {
		case k != "Error" && k != "Cause":
			return nil, problem("", at+key(k), "unknown field; a Throw has Error and Cause")
		case !ok:
			return nil, problem("", at+key(k), "must be a string, not "+value.TypeName(obj[k]))
		case k == "Error":
			t.Error = s
		default:
			t.Cause = s
		}
	}
	// An empty Throw stands for a failure that names neither an error nor
	// a cause, as SendTaskFailure without them records (the Task corpus
	// has such a case); a misspelt field is caught above. A Cause without
	// its Error is a mistake.
	if _, hasError := obj["Error"]; !hasError && len(obj) > 0 {
		return nil, problem("", at+".Error", `is missing; a Throw names its Error, as in {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"} (an empty Throw {} fails with neither)`)
	}
	return t, nil
}

// parseRange reads an invocation index "3" or an inclusive range "1-2".
func parseRange(s string) (int, int, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	from, err1 := index(lo)
	to := from
	var err2 error
	if isRange {
		to, err2 = index(hi)
	}
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q is not an invocation index; write \"0\", \"1\" or an inclusive range such as \"1-2\"", s)
	case to < from:
		return 0, 0, fmt.Errorf("range %q ends before it starts; write the smaller index first, as in \"1-2\"", s)
	}
	return from, to, nil
}

func index(s string) (int, error) {
	if s == "" || len(s) > 9 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not an index")
	}
	return strconv.Atoi(s)
}

func object(m map[string]any, k, at string, required bool) (map[string]any, error) {
	v, ok := m[k]
	if !ok {
		if required {
			return nil, problem("", at, "is required")
		}
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, "must be an object, not "+value.TypeName(v))
	}
	return obj, nil
}

// key renders one step of a path: .Name for a plain name, ["1-2"] otherwise.
func key(k string) string {
	plain := k != ""
	for _, c := range k {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain && !(k[0] >= '0' && k[0] <= '9') {
		return "." + k
	}
	return "[" + strconv.Quote(k) + "]"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func suggest(name string, names []string) string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return ""
}
