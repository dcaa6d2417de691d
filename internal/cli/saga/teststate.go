package saga

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/teststate"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/ui"
)

// maxTestStateFile bounds a file read for saga test-state: a definition
// may be 1 MiB, data 256 KiB, as the TestState API allows.
const maxTestStateFile = 1 << 20

// TestStateOptions are the inputs of `yafdp saga test-state`.
type TestStateOptions struct {
	cmdutil.Deps

	// Definition is the file holding the state, or the whole definition.
	Definition string
	// State names the state to test in a whole definition.
	State string
	// Input, MockResult, Variables, Context and MapItemReaderData are JSON
	// text, or @FILE to read it from a file.
	Input, MockResult, Variables, Context, MapItemReaderData string
	// MockError and MockCause mock a failure.
	MockError, MockCause string
	// FieldValidation is STRICT, PRESENT or NONE (any case).
	FieldValidation string
	// InspectionLevel is INFO, DEBUG or TRACE (any case).
	InspectionLevel string
	// RetryCount, ErrorCausedByState and MapFailureCount are the state
	// configuration; the counts are -1 when not given.
	RetryCount, MapFailureCount int
	ErrorCausedByState          string

	set map[string]bool // the flags given
}

// NewCmdTestState returns `yafdp saga test-state`.
func NewCmdTestState(f *cmdutil.Factory, runF func(context.Context, *TestStateOptions) error) *cobra.Command {
	opts := &TestStateOptions{Deps: f.Deps(), InspectionLevel: "debug", RetryCount: -1, MapFailureCount: -1}
	cmd := &cobra.Command{
		Use:   "test-state --definition FILE [--state NAME] [--input JSON] [--mock-result JSON | --mock-error ERROR]",
		Short: "Test one state of a definition, offline, as Step Functions' TestState does",
		Long: cmdutil.Heredoc(`
			Run one state on yafdp's engine as Step Functions' TestState API runs it, and
			show what it did with its data at each stage: the input, after InputPath, after
			Parameters (or Arguments), the result, after ResultSelector, after ResultPath,
			and the variables, with a Map's MaxConcurrency and tolerated failures. Nothing
			is sent to AWS.

			--definition holds a single state, or a whole state machine with --state naming
			the state (in a Parallel branch or a Map's processor too). A Task is answered
			by --mock-result (its result, checked against the AWS API's output shape as
			--field-validation says: strict wants the required fields and the right types,
			present only the types, none nothing) or fails with --mock-error and
			--mock-cause; a Map or Parallel state needs a mock too (its result: one element
			per item or branch). Pass, Choice, Wait, Succeed and Fail take none. A Wait
			state does not wait.

			The state's Retry and Catch decide as TestState does: a retrier with attempts
			left makes the test RETRIABLE (with the back-off it would wait; --retry-count
			says how many retries were made already), a catcher CAUGHT_ERROR with the
			catcher's Next. --variables sets the workflow variables in scope, --context the
			context object ($$). For a Map: --map-failure-count iterations failed (checked
			against its tolerated failures), --map-item-reader-data stands for what its
			ItemReader reads; --error-caused-by-state names the state inside a Map or
			Parallel that raised --mock-error.

			JSON values may be given as @FILE. --inspection-level is debug by default
			(info shows only the outcome; trace is debug here, as yafdp makes no HTTP
			calls). --output table shows each stage's value, json and jsonl the whole
			test with the stages as JSON values.

			A request TestState would refuse (a mock on a Pass state, a mock result that
			does not fit the API) is bad input: one line, exit 2.

			Exit codes: 0 SUCCEEDED or CAUGHT_ERROR; 1 FAILED; 2 bad input; 3 RETRIABLE.
		`),
		Example: cmdutil.Examples(`
			$ yafdp saga test-state --definition payment.json --input '{"orderId":"o-1","amount":12.5}' --mock-result '{"StatusCode":200,"Payload":{"chargeId":"c-9"}}'
			$ yafdp saga definition > saga.asl.json
			$ yafdp saga test-state --definition saga.asl.json --state ChargePayment --input @order.json --mock-error Payment.Declined --mock-cause "card declined"
			$ yafdp saga test-state --definition saga.asl.json --state ChargePayment --input @order.json --mock-error Payment.Throttled --retry-count 2
			$ yafdp saga test-state --definition choice.json --input '{"total":30}' --output json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, opts.parse, runF, runTestState),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Definition, "definition", "", "The state, or a whole definition, in `file` (- for standard input)")
	fl.StringVar(&opts.State, "state", "", "The `name` of the state to test in a whole definition")
	fl.StringVar(&opts.Input, "input", "{}", "The state's input: `json` or @FILE")
	fl.StringVar(&opts.MockResult, "mock-result", "", "Answer the Task, Map or Parallel with this result: `json` or @FILE")
	fl.StringVar(&opts.MockError, "mock-error", "", "Fail the Task, Map or Parallel with this `error` name")
	fl.StringVar(&opts.MockCause, "mock-cause", "", "The `cause` of --mock-error")
	fl.StringVar(&opts.FieldValidation, "field-validation", "strict", "Check --mock-result against the API's output: `mode` strict, present or none")
	fl.StringVar(&opts.InspectionLevel, "inspection-level", opts.InspectionLevel, "What to show: `level` info, debug or trace")
	fl.StringVar(&opts.Variables, "variables", "", "Workflow variables in scope: a JSON object (`json` or @FILE)")
	fl.StringVar(&opts.Context, "context", "", "The context object ($$): a JSON object (`json` or @FILE); needs a mock")
	fl.IntVar(&opts.RetryCount, "retry-count", -1, "How many times the state was retried already (`n`)")
	fl.StringVar(&opts.ErrorCausedByState, "error-caused-by-state", "", "The `state` inside the Map or Parallel that raised --mock-error")
	fl.IntVar(&opts.MapFailureCount, "map-failure-count", -1, "How many of the Map's iterations failed (`n`)")
	fl.StringVar(&opts.MapItemReaderData, "map-item-reader-data", "", "What the Map's ItemReader reads: a JSON array (`json` or @FILE)")
	_ = cmd.MarkFlagFilename("definition", "json")
	return cmd
}

// parse checks the flags; every error is a usage error.
func (o *TestStateOptions) parse(cmd *cobra.Command, _ []string) error {
	o.set = map[string]bool{}
	cmd.Flags().Visit(func(fl *pflag.Flag) { o.set[fl.Name] = true })
	switch {
	case o.Definition == "":
		return cmdutil.FlagErrorf("--definition is required: give the file holding the state or the whole definition, as in --definition saga.asl.json")
	case o.set["mock-result"] && o.set["mock-error"]:
		return cmdutil.FlagErrorf("--mock-result and --mock-error both mock the state: give one")
	case o.set["mock-cause"] && !o.set["mock-error"]:
		return cmdutil.FlagErrorf("--mock-cause needs --mock-error: name the error the cause explains")
	case o.set["mock-error"] && o.MockError == "":
		return cmdutil.FlagErrorf("--mock-error must not be empty; name the error, as in --mock-error Payment.Declined")
	case o.set["field-validation"] && !o.set["mock-result"]:
		return cmdutil.FlagErrorf("--field-validation checks --mock-result: give one, or leave --field-validation out")
	case o.set["retry-count"] && o.RetryCount < 0:
		return cmdutil.FlagErrorf("--retry-count must be 0 or more, not %d", o.RetryCount)
	case o.set["map-failure-count"] && o.MapFailureCount < 0:
		return cmdutil.FlagErrorf("--map-failure-count must be 0 or more, not %d", o.MapFailureCount)
	}
	o.FieldValidation = strings.ToUpper(o.FieldValidation)
	switch o.FieldValidation {
	case teststate.ModeStrict, teststate.ModePresent, teststate.ModeNone:
	default:
		return cmdutil.FlagErrorf("--field-validation must be strict, present or none, not %q", strings.ToLower(o.FieldValidation))
	}
	o.InspectionLevel = strings.ToUpper(o.InspectionLevel)
	switch o.InspectionLevel {
	case teststate.LevelInfo, teststate.LevelDebug, teststate.LevelTrace:
	default:
		return cmdutil.FlagErrorf("--inspection-level must be info, debug or trace, not %q", strings.ToLower(o.InspectionLevel))
	}
	return nil
}

// readText reads a flag's value: the text itself, or a file's (@FILE, or
// - for standard input), bounded by maxTestStateFile.
func (o *TestStateOptions) readText(flag, v string) (string, error) {
	var r io.Reader
	name := ""
	switch {
	case flag == "definition" && v == "-":
		r, name = o.IO.In, "standard input"
	case flag == "definition":
		f, err := os.Open(v)
		if err != nil {
			return "", cmdutil.UsageErrorf("--definition: %v", input.PathError(err))
		}
		defer f.Close()
		r, name = f, v
	case strings.HasPrefix(v, "@"):
		f, err := os.Open(v[1:])
		if err != nil {
			return "", cmdutil.UsageErrorf("--%s: %v", flag, input.PathError(err))
		}
		defer f.Close()
		r, name = f, v[1:]
	default:
		return v, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTestStateFile+1))
	if err != nil {
		return "", cmdutil.UsageErrorf("--%s: reading %s: %v", flag, name, err)
	}
	if len(data) > maxTestStateFile {
		return "", cmdutil.UsageErrorf("--%s: %s is larger than %d bytes, more than TestState accepts", flag, name, maxTestStateFile)
	}
	return string(data), nil
}

// request builds the TestState request from the flags, reading files.
func (o *TestStateOptions) request() (teststate.Request, error) {
	req := teststate.Request{InspectionLevel: o.InspectionLevel}
	def, err := o.readText("definition", o.Definition)
	if err != nil {
		return req, err
	}
	req.Definition = &def
	text := func(flag, v string) (*string, error) {
		if !o.set[flag] {
			return nil, nil
		}
		s, err := o.readText(flag, v)
		if err != nil {
			return nil, err
		}
		return &s, nil
	}
	if req.Input, err = text("input", o.Input); err != nil {
		return req, err
	}
	if req.Variables, err = text("variables", o.Variables); err != nil {
		return req, err
	}
	if req.Context, err = text("context", o.Context); err != nil {
		return req, err
	}
	if o.set["state"] {
		req.StateName = &o.State
	}
	switch {
	case o.set["mock-result"]:
		res, err := text("mock-result", o.MockResult)
		if err != nil {
			return req, err
		}
		req.Mock = &teststate.Mock{Result: res, FieldValidationMode: o.FieldValidation}
	case o.set["mock-error"]:
		e, c := o.MockError, o.MockCause
		req.Mock = &teststate.Mock{ErrorOutput: &teststate.ErrorOutput{Error: &e, Cause: &c}}
	}
	sc := &teststate.StateConfiguration{}
	if o.set["retry-count"] {
		n := int32(min(o.RetryCount, 1<<31-1))
		sc.RetrierRetryCount = &n
	}
	if o.set["map-failure-count"] {
		n := int32(min(o.MapFailureCount, 1<<31-1))
		sc.MapIterationFailureCount = &n
	}
	if o.set["error-caused-by-state"] {
		sc.ErrorCausedByState = &o.ErrorCausedByState
	}
	if sc.MapItemReaderData, err = text("map-item-reader-data", o.MapItemReaderData); err != nil {
		return req, err
	}
	if *sc != (teststate.StateConfiguration{}) {
		req.StateConfiguration = sc
	}
	return req, nil
}

// testStateResult is the outcome as saga test-state prints it: the
// inspection's stages as JSON values rather than JSON text.
type testStateResult struct {
	State      string          `json:"state"`
	Status     string          `json:"status"`
	NextState  string          `json:"nextState,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
	Output     any             `json:"output,omitempty"`
	Inspection *testInspection `json:"inspection,omitempty"`
}

type testInspection struct {
	Stages                     []testStage             `json:"stages"`
	MaxConcurrency             *int                    `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int                    `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64                `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *teststate.ErrorDetails `json:"errorDetails,omitempty"`
}

type testStage struct {
	Stage string `json:"stage"`
	Value any    `json:"value"`
}

func runTestState(ctx context.Context, o *TestStateOptions) error {
	req, err := o.request()
	if err != nil {
		return err
	}
	p, err := o.Printer()
	if err != nil {
		return err
	}
	eng := &asl.Engine{}
	res, err := teststate.Run(ctx, req, teststate.Options{Engine: eng, ExecutionName: "yafdp-test-state", StateMachineName: "yafdp-test-state"})
	var refused *teststate.Error
	if errors.As(err, &refused) {
		return refusal(refused)
	}
	if err != nil {
		return err
	}
	out, err := testStateOutcome(res, o.State)
	if err != nil {
		return err
	}
	if err := output.PrintWith(p, out, out.render); err != nil {
		return err
	}
	switch res.Status {
	case string(asl.TestFailed):
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	case string(asl.TestRetriable):
		return &cmdutil.ExitError{Code: cmdutil.ExitRetriable}
	}
	return nil
}

// refusal words a request TestState refuses as bad input naming the flag
// at fault.
func refusal(e *teststate.Error) error {
	msg := e.Message
	switch {
	case msg == "RoleArn must be specified when testing a Task state":
		return cmdutil.FlagErrorf("--mock-result or --mock-error is needed to test a Task state: yafdp does not call AWS services")
	case e.Code == teststate.CodeInvalidDefinition:
		return cmdutil.UsageErrorf("--definition: %s", msg)
	case e.Code == teststate.CodeInvalidExecutionInput:
		return cmdutil.UsageErrorf("--input: %s", msg)
	case strings.Contains(msg, "State not found"):
		return cmdutil.UsageErrorf("--state: %s; name a state of the definition", msg)
	case strings.Contains(msg, "Context"):
		return cmdutil.UsageErrorf("--context: %s", msg)
	case strings.Contains(msg, "variables"):
		return cmdutil.UsageErrorf("--variables: %s", msg)
	case strings.Contains(msg, "MapIterationFailureCount") || strings.Contains(msg, "Map iteration failure count"):
		return cmdutil.UsageErrorf("--map-failure-count: %s", msg)
	case strings.Contains(msg, "ErrorCausedByState"):
		return cmdutil.UsageErrorf("--error-caused-by-state: %s", msg)
	case strings.Contains(msg, "MapItemReaderData"):
		return cmdutil.UsageErrorf("--map-item-reader-data: %s", msg)
	case strings.Contains(msg, "mock") || strings.Contains(msg, "Mock"):
		return cmdutil.UsageErrorf("--mock-result/--mock-error: %s", msg)
	}
	return cmdutil.UsageErrorf("%s: %s", e.Code, msg)
}

// testStateOutcome decodes the answer's JSON texts for printing.
func testStateOutcome(res *teststate.Response, state string) (*testStateResult, error) {
	out := &testStateResult{State: state, Status: res.Status}
	if out.State == "" {
		out.State = asl.SingleStateName
	}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&out.NextState, res.NextState}, {&out.Error, res.Error}, {&out.Cause, res.Cause}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if res.Output != nil {
		v, err := value.DecodeString(*res.Output)
		if err != nil {
			return nil, err
		}
		out.Output = v
	}
	d := res.InspectionData
	if d == nil {
		return out, nil
	}
	in := &testInspection{Stages: []testStage{}, MaxConcurrency: d.MaxConcurrency, ToleratedFailureCount: d.ToleratedFailureCount,
		ToleratedFailurePercentage: d.ToleratedFailurePercentage, ErrorDetails: d.ErrorDetails}
	for _, stage := range asl.Stages {
		text := d.Stage(stage)
		if text == nil {
			continue
		}
		v, err := value.DecodeString(*text)
		if err != nil {
			return nil, err
		}
		in.Stages = append(in.Stages, testStage{Stage: stage, Value: v})
	}
	out.Inspection = in
	return out, nil
}

// render prints the outcome for people: a line with the status, the
// stages one row each, then the output or the error.
func (r *testStateResult) render(w io.Writer, s *ui.Styles) error {
	icon, status := s.SuccessIcon(), s.Success(r.Status)
	switch asl.TestStatus(r.Status) {
	case asl.TestFailed:
		icon, status = s.FailureIcon(), s.Failure(r.Status)
	case asl.TestRetriable, asl.TestCaughtError:
		icon, status = s.WarningIcon(), s.Warning(r.Status)
	}
	line := fmt.Sprintf("%s %s %s", icon, s.Step(r.State), status)
	if r.NextState != "" {
		line += " → next state " + s.Step(r.NextState)
	}
	if _, err := fmt.Fprintln(w, line); err != nil {
		return err
	}
	t := ui.Table{Headers: []string{"STAGE", "VALUE"}}
	if in := r.Inspection; in != nil {
		for _, st := range in.Stages {
			t.Rows = append(t.Rows, []string{st.Stage, value.MustEncodeString(st.Value)})
		}
		if in.MaxConcurrency != nil {
			t.Rows = append(t.Rows, []string{"maxConcurrency", fmt.Sprint(*in.MaxConcurrency)})
		}
		if in.ToleratedFailureCount != nil {
			t.Rows = append(t.Rows, []string{"toleratedFailureCount", fmt.Sprint(*in.ToleratedFailureCount)})
		}
		if in.ToleratedFailurePercentage != nil {
			t.Rows = append(t.Rows, []string{"toleratedFailurePercentage", fmt.Sprint(*in.ToleratedFailurePercentage)})
		}
		if d := in.ErrorDetails; d != nil {
			switch {
			case d.CatchIndex != nil:
				t.Rows = append(t.Rows, []string{"caught by", fmt.Sprintf("Catch[%d]", *d.CatchIndex)})
			case d.RetryIndex != nil:
				t.Rows = append(t.Rows, []string{"retried by", fmt.Sprintf("Retry[%d], after %ds", *d.RetryIndex, deref(d.RetryBackoffIntervalSeconds))})
			}
		}
	}
	if r.Error != "" {
		t.Rows = append(t.Rows, []string{"error", r.Error})
	}
	if r.Cause != "" {
		t.Rows = append(t.Rows, []string{"cause", r.Cause})
	}
	if r.Output != nil || r.Status == string(asl.TestSucceeded) || r.Status == string(asl.TestCaughtError) {
		t.Rows = append(t.Rows, []string{"output", value.MustEncodeString(r.Output)})
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return ui.RenderTable(w, t, s)
}

func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
