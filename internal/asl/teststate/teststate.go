// Package teststate is Step Functions' TestState API on yafdp's engine: it
// takes a request as the API does (a definition, an input, a mock, a
// context object, variables, a state configuration and an inspection
// level), refuses a bad one with the error code and message AWS gives,
// runs the state with asl.Engine.TestState and answers in the API's shape.
// local up serves it over the wire and `saga test-state` from the command
// line.
//
// A mocked result of an AWS service integration is checked against the
// API's output shape (internal/awsshapes), as fieldValidationMode says:
// STRICT (the default) wants the required fields and every field of the
// right type, PRESENT only the latter, NONE nothing.
package teststate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Request is a TestState request, with the API's member names.
type Request struct {
	Definition         *string             `json:"definition,omitempty"`
	RoleArn            *string             `json:"roleArn,omitempty"`
	Input              *string             `json:"input,omitempty"`
	InspectionLevel    string              `json:"inspectionLevel,omitempty"`
	RevealSecrets      bool                `json:"revealSecrets,omitempty"`
	Variables          *string             `json:"variables,omitempty"`
	StateName          *string             `json:"stateName,omitempty"`
	Mock               *Mock               `json:"mock,omitempty"`
	Context            *string             `json:"context,omitempty"`
	StateConfiguration *StateConfiguration `json:"stateConfiguration,omitempty"`
}

// Mock is a request's mock: a result (JSON text) or an error output.
type Mock struct {
	Result              *string      `json:"result,omitempty"`
	ErrorOutput         *ErrorOutput `json:"errorOutput,omitempty"`
	FieldValidationMode string       `json:"fieldValidationMode,omitempty"`
}

// ErrorOutput is a mocked error.
type ErrorOutput struct {
	Error *string `json:"error,omitempty"`
	Cause *string `json:"cause,omitempty"`
}

// StateConfiguration says what happened before the state ran.
type StateConfiguration struct {
	RetrierRetryCount        *int32  `json:"retrierRetryCount,omitempty"`
	ErrorCausedByState       *string `json:"errorCausedByState,omitempty"`
	MapIterationFailureCount *int32  `json:"mapIterationFailureCount,omitempty"`
	MapItemReaderData        *string `json:"mapItemReaderData,omitempty"`
}

// The inspection levels and field validation modes.
const (
	LevelInfo  = "INFO"
	LevelDebug = "DEBUG"
	LevelTrace = "TRACE"

	ModeStrict  = "STRICT"
	ModePresent = "PRESENT"
	ModeNone    = "NONE"
)

// Response is TestState's answer, with the API's member names.
type Response struct {
	Status         string          `json:"status"`
	Output         *string         `json:"output,omitempty"`
	Error          *string         `json:"error,omitempty"`
	Cause          *string         `json:"cause,omitempty"`
	NextState      *string         `json:"nextState,omitempty"`
	InspectionData *InspectionData `json:"inspectionData,omitempty"`
}

// InspectionData is the API's inspection: each stage's data as JSON text.
type InspectionData struct {
	Input                      *string       `json:"input,omitempty"`
	AfterInputPath             *string       `json:"afterInputPath,omitempty"`
	AfterParameters            *string       `json:"afterParameters,omitempty"`
	AfterArguments             *string       `json:"afterArguments,omitempty"`
	AfterItemsPath             *string       `json:"afterItemsPath,omitempty"`
	AfterItemSelector          *string       `json:"afterItemSelector,omitempty"`
	Result                     *string       `json:"result,omitempty"`
	AfterResultSelector        *string       `json:"afterResultSelector,omitempty"`
	AfterResultPath            *string       `json:"afterResultPath,omitempty"`
	Variables                  *string       `json:"variables,omitempty"`
	MaxConcurrency             *int          `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int          `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64      `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *ErrorDetails `json:"errorDetails,omitempty"`
}

// ErrorDetails says which retrier or catcher took the state's error.
type ErrorDetails struct {
	RetryIndex                  *int `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
	CatchIndex                  *int `json:"catchIndex,omitempty"`
}

// Stage returns the JSON text of one data stage (asl.Stages), or nil.
func (d *InspectionData) Stage(name string) *string {
	if d == nil {
		return nil
	}
	if p := d.stage(name); p != nil {
		return *p
	}
	return nil
}

func (d *InspectionData) setStage(name string, text *string) {
	if p := d.stage(name); p != nil {
		*p = text
	}
}

// stage is the field that holds a data stage, nil for an unknown name.
func (d *InspectionData) stage(name string) **string {
	switch name {
	case asl.StageInput:
		return &d.Input
	case asl.StageAfterInputPath:
		return &d.AfterInputPath
	case asl.StageAfterParameters:
		return &d.AfterParameters
	case asl.StageAfterArguments:
		return &d.AfterArguments
	case asl.StageAfterItemsPath:
		return &d.AfterItemsPath
	case asl.StageAfterItemSelector:
		return &d.AfterItemSelector
	case asl.StageResult:
		return &d.Result
	case asl.StageAfterResultSelector:
		return &d.AfterResultSelector
	case asl.StageAfterResultPath:
		return &d.AfterResultPath
	case asl.StageVariables:
		return &d.Variables
	}
	return nil
}

// Error is a refused request: the code the SDKs map to a typed error
// (ValidationException, InvalidDefinition, InvalidExecutionInput) and
// AWS's message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The error codes TestState refuses requests with.
const (
	CodeValidation            = "ValidationException"
	CodeInvalidDefinition     = "InvalidDefinition"
	CodeInvalidExecutionInput = "InvalidExecutionInput"
)

func validation(format string, args ...any) *Error {
	return &Error{Code: CodeValidation, Message: fmt.Sprintf(format, args...)}
}

// Options are what a caller of Run provides besides the request.
type Options struct {
	// Engine runs the state: its clock, region, account and seed. Its
	// Resources and Fallback answer an unmocked Task.
	Engine *asl.Engine
	// ExecutionName and StateMachineName name the test's execution and
	// machine in the context object; generated names when empty.
	ExecutionName, StateMachineName string
}

// MaxDuration is how long a TestState call may run, as on AWS.
const MaxDuration = 5 * time.Minute

// Run checks a request as AWS does and runs it. A refused request gives an
// *Error and nothing runs.
func Run(ctx context.Context, req Request, opts Options) (*Response, error) {
	p, err := prepare(req)
	if err != nil {
		return nil, err
	}
	eng := opts.Engine
	if eng == nil {
		eng = &asl.Engine{}
	}
	t := p.test
	t.ExecutionName, t.StateMachineName = opts.ExecutionName, opts.StateMachineName
	if p.su.State.Type == asl.TypeTask && t.Mock == nil {
		t.Handler = handlerFor(eng, p.su.State.Resource)
	}
	// AWS ends a TestState call after five minutes; so does an unmocked
	// Task's call here.
	ctx, cancel := context.WithTimeout(ctx, MaxDuration)
	defer cancel()
	res, err := eng.TestState(ctx, p.su, t)
	if err != nil {
		return nil, err
	}
	return respond(res, p.level)
}

// handlerFor is the engine's handler for a Task's resource, or nil.
func handlerFor(e *asl.Engine, resource string) asl.TaskHandler {
	if h, ok := e.Resources[resource]; ok && h != nil {
		return h
	}
	return e.Fallback
}

// prepared is a request that passed every check.
type prepared struct {
	su    *asl.StateUnderTest
	test  asl.StateTest
	level string
}

// prepare checks a request in the order AWS does and builds the test.
func prepare(req Request) (*prepared, error) {
	if req.Definition == nil {
		return nil, validation("1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null")
	}
	level := req.InspectionLevel
	switch level {
	case "":
		level = LevelInfo
	case LevelInfo, LevelDebug, LevelTrace:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", level)
	}
	su, err := parseDefinition(req)
	if err != nil {
		return nil, err
	}
	sc := req.StateConfiguration
	if sc != nil && sc.MapIterationFailureCount != nil {
		if req.Mock == nil {
			return nil, validation("TestState does not support MapIterationFailureCount when a mock is not specified.")
		}
		if req.Mock.Result != nil {
			if list, ok := decodeOrNil(*req.Mock.Result).([]any); ok && int(*sc.MapIterationFailureCount) > len(list) {
				return nil, validation("Map iteration failure count must be less than or equal to the number of Map iterations")
			}
		}
	}
	st := su.State
	if req.Mock == nil && (st.Type == asl.TypeMap || st.Type == asl.TypeParallel) {
		return nil, &Error{Code: CodeInvalidDefinition, Message: "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"}
	}
	if req.Mock == nil && st.Type == asl.TypeTask && (su.Resource().Kind == integration.Activity || su.IsTaskWithPattern()) {
		// AWS documents that these need a mock; the wording is yafdp's,
		// after the Map and Parallel one (no recording has AWS's).
		return nil, &Error{Code: CodeInvalidDefinition, Message: "TestState API does not support Activity tasks, .sync or .waitForTaskToken service integration patterns without a mock."}
	}
	mock, err := parseMock(req, su)
	if err != nil {
		return nil, err
	}
	t := asl.StateTest{Mock: mock}
	if req.Context != nil {
		if req.Mock == nil {
			return nil, validation("TestState does not support Context when a mock is not specified.")
		}
		ctxObj, err := checkContext(*req.Context, su)
		if err != nil {
			return nil, err
		}
		t.Context = ctxObj
	}
	if sc != nil {
		if err := configure(&t, sc, su, req.Mock); err != nil {
			return nil, err
		}
	}
	if req.RoleArn == nil && st.Type == asl.TypeTask && req.Mock == nil {
		return nil, validation("RoleArn must be specified when testing a Task state")
	}
	if req.RoleArn != nil {
		t.RoleARN = *req.RoleArn
	}
	input := "{}"
	if req.Input != nil {
		input = *req.Input
	}
	in, ierr := value.DecodeString(input)
	if ierr != nil {
		return nil, &Error{Code: CodeInvalidExecutionInput, Message: fmt.Sprintf("Invalid State Machine Execution Input: '%s'", ierr.Error())}
	}
	t.Input = in
	if req.Variables != nil {
		v, err := value.DecodeString(*req.Variables)
		vars, isObj := v.(map[string]any)
		if err != nil || !isObj {
			return nil, validation("Invalid variables provided: variables must be a JSON object")
		}
		t.Variables = vars
	}
	return &prepared{su: su, test: t, level: level}, nil
}

// parseDefinition reads the request's definition, a state or a whole
// machine, and finds the state to test (StateName in a machine).
func parseDefinition(req Request) (*asl.StateUnderTest, error) {
	doc, derr := value.DecodeString(*req.Definition)
	if derr != nil {
		return nil, &Error{Code: CodeInvalidDefinition, Message: fmt.Sprintf("Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: %s'", derr.Error())}
	}
	obj, isObj := doc.(map[string]any)
	if !isObj {
		return nil, &Error{Code: CodeInvalidDefinition, Message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The definition must be a JSON object at /'"}
	}
	stateName := ""
	if req.StateName != nil {
		stateName = *req.StateName
	}
	_, isMachine := obj["States"]
	if !isMachine && stateName != "" {
		return nil, validation("State not found in definition")
	}
	su, found, err := asl.ParseStateTest(obj, stateName)
	if err != nil {
		return nil, invalidDefinition(err)
	}
	if !found {
		return nil, validation("State not found in definition")
	}
	return su, nil
}

// parseMock checks the request's mock against the state it mocks (AWS's
// checks, in AWS's order) and returns it for the engine; nil without one.
func parseMock(req Request, su *asl.StateUnderTest) (*asl.TestMock, error) {
	m := req.Mock
	if m == nil {
		return nil, nil
	}
	switch st := su.State; st.Type {
	case asl.TypePass, asl.TypeFail, asl.TypeSucceed:
		return nil, validation("State type '%s' is not supported when a mock is specified", st.Type)
	}
	if req.RevealSecrets {
		return nil, validation("TestState does not support RevealSecrets when a mock is specified.")
	}
	if m.Result != nil && m.ErrorOutput != nil {
		return nil, validation("A test mock should have only one of the following fields: [result, errorOutput].")
	}
	mode := m.FieldValidationMode
	switch mode {
	case "":
		mode = ModeStrict
	case ModeStrict, ModePresent, ModeNone:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]", mode)
	}
	switch {
	case m.Result != nil:
		v, err := value.DecodeString(*m.Result)
		if err != nil {
			return nil, validation("Mocked result must be valid JSON")
		}
		if err := checkMockShape(su, v, mode); err != nil {
			return nil, err
		}
		return &asl.TestMock{Result: v, HasResult: true}, nil
	case m.ErrorOutput != nil:
		mock := &asl.TestMock{}
		if m.ErrorOutput.Error != nil {
			mock.Error = *m.ErrorOutput.Error
		}
		if m.ErrorOutput.Cause != nil {
			mock.Cause = *m.ErrorOutput.Cause
		}
		return mock, nil
	default:
		return nil, validation("A test mock should have one of the following fields: [result, errorOutput].")
	}
}

func decodeOrNil(s string) any {
	v, err := value.DecodeString(s)
	if err != nil {
		return nil
	}
	return v
}

// configure reads the state configuration into the test.
func configure(t *asl.StateTest, sc *StateConfiguration, su *asl.StateUnderTest, mock *Mock) error {
	if sc.RetrierRetryCount != nil {
		if *sc.RetrierRetryCount < 0 {
			return validation("1 validation error detected: Value '%d' at 'stateConfiguration.retrierRetryCount' failed to satisfy constraint: Member must have value greater than or equal to 0", *sc.RetrierRetryCount)
		}
		t.RetrierRetryCount = int(*sc.RetrierRetryCount)
	}
	isGroup := su.State.Type == asl.TypeMap || su.State.Type == asl.TypeParallel
	if sc.MapIterationFailureCount != nil {
		if *sc.MapIterationFailureCount < 0 {
			return validation("1 validation error detected: Value '%d' at 'stateConfiguration.mapIterationFailureCount' failed to satisfy constraint: Member must have value greater than or equal to 0", *sc.MapIterationFailureCount)
		}
		if su.State.Type != asl.TypeMap {
			return validation("TestState supports MapIterationFailureCount only for a Map state.")
		}
		t.MapIterationFailureCount, t.HasMapIterationFailureCount = int(*sc.MapIterationFailureCount), true
	}
	if sc.ErrorCausedByState != nil {
		name := *sc.ErrorCausedByState
		if !isGroup {
			return validation("TestState supports ErrorCausedByState only for a Map or Parallel state.")
		}
		if !containsState(su.State, name) {
			return validation("ErrorCausedByState '%s' is not a state inside the Map or Parallel state '%s'.", name, su.State.Name)
		}
		if mock == nil || mock.ErrorOutput == nil {
			return validation("TestState supports ErrorCausedByState only with a mocked errorOutput.")
		}
	}
	if sc.MapItemReaderData != nil {
		if su.State.Type != asl.TypeMap || !su.HasItemReader() {
			return validation("TestState supports MapItemReaderData only for a Map state with an ItemReader.")
		}
		v, err := value.DecodeString(*sc.MapItemReaderData)
		if err != nil {
			return validation("MapItemReaderData must be valid JSON")
		}
		if _, ok := v.([]any); !ok {
			return validation("MapItemReaderData must be a JSON array.")
		}
		t.MapItemReaderData, t.HasMapItemReaderData = v, true
	}
	return nil
}

// containsState reports whether a Map's processor or a Parallel's
// branches hold a state called name.
func containsState(s *asl.State, name string) bool {
	machines := s.Branches
	if s.Processor != nil {
		machines = append(machines, s.Processor)
	}
	for _, m := range machines {
		if _, ok := m.Find(name); ok {
			return true
		}
	}
	return false
}

// invalidDefinition words the parser's problems as AWS words its own.
func invalidDefinition(err error) *Error {
	var ve *asl.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return &Error{Code: CodeInvalidDefinition, Message: fmt.Sprintf("Invalid State Machine Definition: '%s'", err.Error())}
	}
	parts := make([]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		if consequence(p) {
			continue
		}
		msg := awsWording(p)
		switch {
		case p.Where == "" && strings.HasPrefix(p.Message, "not valid JSON"):
			parts = append(parts, "INVALID_JSON_DESCRIPTION: "+p.Message)
		case p.Where == "":
			parts = append(parts, "SCHEMA_VALIDATION_FAILED: "+msg+" at /")
		default:
			parts = append(parts, "SCHEMA_VALIDATION_FAILED: "+msg+" at /"+strings.ReplaceAll(p.Where, ".", "/"))
		}
	}
	return &Error{Code: CodeInvalidDefinition, Message: fmt.Sprintf("Invalid State Machine Definition: '%s'", strings.Join(parts, ", "))}
}

// consequence reports whether a problem only follows from another: a
// transition to a state that is there but could not be read, which the
// parser names as the state it suggests. AWS reports the state's own
// problem alone.
func consequence(p asl.Problem) bool {
	rest, ok := strings.CutPrefix(p.Message, "no state named ")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, " in this scope")
	return strings.HasSuffix(rest, "(did you mean "+name+"?)")
}

// awsWording gives the problems AWS words differently from yafdp's parser
// in AWS's words.
func awsWording(p asl.Problem) string {
	switch {
	case strings.HasPrefix(p.Message, "unknown state type"):
		return "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]"
	case strings.HasSuffix(p.Where, ".Branches") && strings.HasPrefix(p.Message, "must be a non-empty array"):
		return "Value cannot be empty"
	}
	return p.Message
}

// respond turns the engine's result into the API's answer.
func respond(res *asl.StateTestResult, level string) (*Response, error) {
	out := &Response{Status: string(res.Status)}
	if res.HasOutput {
		text, err := encodeString(res.Output)
		if err != nil {
			return nil, err
		}
		out.Output = &text
	}
	if res.Status == asl.TestFailed || res.Status == asl.TestRetriable || res.Status == asl.TestCaughtError {
		if e := res.Error; e != "" {
			out.Error = &e
		}
		if c := res.Cause; c != "" {
			out.Cause = &c
		}
	}
	if res.NextState != "" {
		n := res.NextState
		out.NextState = &n
	}
	if level == LevelInfo {
		return out, nil
	}
	in := res.Inspection
	d := &InspectionData{MaxConcurrency: in.MaxConcurrency, ToleratedFailureCount: in.ToleratedFailureCount, ToleratedFailurePercentage: in.ToleratedFailurePercentage}
	for _, stage := range asl.Stages {
		v, ok := in.Data[stage]
		if !ok {
			continue
		}
		text, err := encodeString(v)
		if err != nil {
			return nil, err
		}
		d.setStage(stage, &text)
	}
	if ed := in.ErrorDetails; ed != nil {
		d.ErrorDetails = &ErrorDetails{RetryIndex: ed.RetryIndex, RetryBackoffIntervalSeconds: ed.RetryBackoffIntervalSeconds, CatchIndex: ed.CatchIndex}
	}
	out.InspectionData = d
	return out, nil
}

func encodeString(v any) (string, error) {
	b, err := value.Encode(v)
	return string(b), err
}
