package clitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/golden"
)

// Golden compares got with the file testdata/name (name itself when it is
// an absolute path), or rewrites that file when the tests run with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	golden.Check(t, name, got)
}

// ErrNoAWS is what the AWS functions of a test Factory return until a test
// replaces them.
var ErrNoAWS = errors.New("clitest: this test has no AWS; set the Factory's AWSConfig, SQSClient or SFNClient")

// Streams are the buffers behind a test Factory's IOStreams.
type Streams struct {
	In, Out, ErrOut *bytes.Buffer
}

// NewFactory returns a Factory for tests: streams backed by buffers (not
// terminals), cfg as the configuration (defaults when nil, which means table
// output), and AWS functions that fail with ErrNoAWS.
func NewFactory(cfg *config.Config) (*cmdutil.Factory, Streams) {
	ios, in, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios)
	if cfg == nil {
		cfg = &config.Config{Output: "table"}
	}
	f.Config = func() (*config.Config, error) { return cfg, nil }
	f.AWSConfig = func(context.Context) (aws.Config, error) { return aws.Config{}, ErrNoAWS }
	f.SQSClient = func(context.Context) (*sqs.Client, error) { return nil, ErrNoAWS }
	f.SFNClient = func(context.Context) (*sfn.Client, error) { return nil, ErrNoAWS }
	return f, Streams{In: in, Out: out, ErrOut: errOut}
}

// Exec runs cmd alone, as if the user had typed args after its name, and
// returns its error. Flag errors come back as *cmdutil.UsageError, as they
// do under the root command. Use it with a runF that captures the options
// to test flag parsing without running anything.
func Exec(cmd *cobra.Command, args ...string) error {
	return ExecContext(context.Background(), cmd, args...)
}

// ExecContext is Exec with a context, for commands that run until it ends.
func ExecContext(ctx context.Context, cmd *cobra.Command, args ...string) error {
	if args == nil {
		args = []string{}
	}
	cmd.SetArgs(args)
	cmd.SetIn(&bytes.Buffer{})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.FlagErrorWrap(err) })
	cmdutil.WrapArgsValidators(cmd)
	_, err := cmd.ExecuteContextC(ctx)
	return err
}
