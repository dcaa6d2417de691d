package saga

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// MockConfigOptions are the inputs of `yafdp saga mock-config`.
type MockConfigOptions struct {
	cmdutil.Deps

	// Definition is the ASL document whose Task states are mocked.
	Definition string
	// StateMachine names the state machine in the config; the
	// definition file's name when empty.
	StateMachine string
	// TestCase names the one test case.
	TestCase string
}

// NewCmdMockConfig returns `yafdp saga mock-config`.
func NewCmdMockConfig(f *cmdutil.Factory, runF func(context.Context, *MockConfigOptions) error) *cobra.Command {
	opts := &MockConfigOptions{Deps: f.Deps(), TestCase: "HappyPath"}
	cmd := &cobra.Command{
		Use:   "mock-config --definition FILE",
		Short: "Write a starter mock config for a definition's Task states",
		Long: cmdutil.Heredoc(`
			Write a mock config in the Step Functions Local format (the MockConfigFile.json
			that Step Functions Local and LocalStack read) for the Task states of an ASL
			definition, for you to edit into the test cases you need.

			The config has one state machine (named after the definition file, or
			--state-machine-name) with one test case (--test-case, HappyPath by default)
			that maps every Task state, in Parallel branches and Map states too, to a
			mocked response <State>Success. Each returns an example of what the Task's
			integration returns, built from the AWS API models: every member of the API's
			output with "..." for strings and 0 for numbers, plus what Step Functions adds
			(lambda:invoke's Payload and StatusCode, the SDK metadata of the optimized
			Lambda, SQS, SNS, DynamoDB and Step Functions calls, the finished job of a
			.sync task). A Lambda function ARN, an activity or a .waitForTaskToken task
			returns your own value: its example is {} and a note on standard error says
			what to put there.

			Every Task with a Retry or Catch also gets a response <State>Failure that
			throws the first error its Catch (else its Retry) names, on every attempt the
			Retry makes: map the state to it in a new test case to follow the failure
			path. A Task inside a Map answers its first 1,000 invocations, one per item.

			A Distributed Map with an ItemReader gets a response <State>Items under the
			Map state's name, returning no items: put its items there (an array), or the
			body of the object it reads (a string, such as CSV text).

			The config goes to standard output (indented; --output jsonl on one line).
			To run it: 'yafdp saga run --definition FILE --mock-config CONFIG' and
			'yafdp local up --mock-config CONFIG', as Step Functions Local runs
			<stateMachineArn>#<TestCase>.
		`),
		Example: cmdutil.Examples(`
			$ yafdp saga mock-config --definition my-saga.asl.json > MockConfigFile.json
			$ yafdp saga mock-config --definition my-saga.asl.json --state-machine-name OrderSaga --test-case PaymentDeclined
			$ yafdp saga mock-config --definition my-saga.asl.json --output jsonl
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, opts.parse, runF, runMockConfig),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Definition, "definition", "", "Mock the Task states of the ASL document in `file`")
	fl.StringVar(&opts.StateMachine, "state-machine-name", "", "The state machine's `name` in the config (default: the definition file's name)")
	fl.StringVar(&opts.TestCase, "test-case", opts.TestCase, "The test case's `name`")
	_ = cmd.MarkFlagFilename("definition", "json")
	return cmd
}

// parse checks the flags; every error is a usage error.
func (o *MockConfigOptions) parse(cmd *cobra.Command, _ []string) error {
	switch {
	case o.Definition == "":
		return cmdutil.FlagErrorf("--definition is required: give the ASL document whose Task states to mock, as in --definition my-saga.asl.json")
	case o.TestCase == "":
		return cmdutil.FlagErrorf("--test-case must not be empty; name the test case, as in --test-case HappyPath")
	case cmd.Flags().Changed("state-machine-name") && o.StateMachine == "":
		return cmdutil.FlagErrorf("--state-machine-name must not be empty; leave it out to name the state machine after the definition file")
	}
	return nil
}

func runMockConfig(_ context.Context, o *MockConfigOptions) error {
	st, err := saga.StarterMockConfig(o.Definition, o.StateMachine, o.TestCase)
	if err != nil {
		return cmdutil.InputError(err)
	}
	p, err := o.Printer()
	if err != nil {
		return err
	}
	if err := output.PrintWith(p, st.Document, func(w io.Writer, _ *ui.Styles) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false) // ARNs and $LATEST as written
		enc.SetIndent("", "  ")
		return enc.Encode(st.Document)
	}); err != nil {
		return err
	}
	return reportStarter(o.IO.ErrOut, ui.NewStyles(o.IO.ErrColorEnabled()), st)
}

// reportStarter tells, on standard error, what was written and what the
// user must fill in.
func reportStarter(w io.Writer, s *ui.Styles, st *mockconfig.Starter) error {
	tasks := len(st.Document.StateMachines[st.Machine].TestCases[st.TestCase])
	failures := len(st.Document.MockedResponses) - tasks
	if _, err := fmt.Fprintf(w, "%s mock config for state machine %q, test case %q: %d Task states, %d failure responses to swap in\n",
		s.SuccessIcon(), st.Machine, st.TestCase, tasks, failures); err != nil {
		return err
	}
	for _, n := range st.Notes {
		if _, err := fmt.Fprintf(w, "  %s %s: %s\n", s.WarningIcon(), s.Step(n.State), n.Message); err != nil {
			return err
		}
	}
	return nil
}
