package cmdutil

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops/executions"
)

// completionTimeout bounds the AWS calls behind a <TAB>: a slow or
// unreachable account must not hang the shell.
const completionTimeout = 2 * time.Second

// completeFrom completes with what names lists from the configured
// account and endpoint, within completionTimeout. It is silent on any
// failure: no suggestions, no error text.
func completeFrom(names func(ctx context.Context, toComplete string) ([]string, error)) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		out, err := names(ctx, toComplete)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteQueues completes queue names.
func CompleteQueues(f *Factory) cobra.CompletionFunc {
	return completeFrom(func(ctx context.Context, toComplete string) ([]string, error) {
		c, err := f.SQSClient(ctx)
		if err != nil {
			return nil, err
		}
		out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(toComplete), MaxResults: aws.Int32(100)})
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(out.QueueUrls))
		for _, u := range out.QueueUrls {
			names = append(names, path.Base(u))
		}
		return names, nil
	})
}

// CompleteStateMachines completes state machine names.
func CompleteStateMachines(f *Factory) cobra.CompletionFunc {
	return completeFrom(func(ctx context.Context, toComplete string) ([]string, error) {
		c, err := f.SFNClient(ctx)
		if err != nil {
			return nil, err
		}
		out, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 100})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, m := range out.StateMachines {
			if n := aws.ToString(m.Name); strings.HasPrefix(n, toComplete) {
				names = append(names, n)
			}
		}
		return names, nil
	})
}

// CompleteExecutions completes the first argument with the names (order
// ids) of the most recent executions of the environment's state machine,
// or of --state-machine when given.
func CompleteExecutions(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		ref, _ := cmd.Flags().GetString("state-machine")
		if ref == "" {
			cfg, err := f.Config()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			ref = cfg.StateMachine
		}
		c, err := f.SFNClient(ctx)
		if ref == "" || err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		sm, err := executions.ResolveStateMachine(ctx, c, ref)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		execs, err := executions.List(ctx, c, executions.ListOptions{StateMachineARN: sm.ARN, NamePrefix: toComplete, Limit: 50, PageSize: 50})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]string, 0, len(execs))
		for _, e := range execs {
			names = append(names, e.Name+"\t"+e.Status)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteSettings completes the values of a NAME=VALUE flag such as
// --fault and --latency with the names it takes.
func CompleteSettings(names []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = n + "="
		}
		return out, cobra.ShellCompDirectiveNoSpace
	}
}
