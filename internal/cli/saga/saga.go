package saga

import (
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/awsops/tasktoken"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

// NewCmd returns the saga command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewNoun("saga <command>", "Run, inspect and follow the order saga",
		cmdutil.Heredoc(`
			Run, inspect and follow the order saga.

			The saga is the Step Functions state machine that takes one order through
			Payment, Restaurant, Delivery, Notify and Confirm. Transient errors, above
			all the payment provider's throttling, are retried with back-off; when a
			step fails for good, every step already done is compensated in reverse
			order (refund, cancel the restaurant order, cancel the delivery) and the
			order ends CANCELLED.

			The saga is written once in Amazon States Language (ASL) and embedded in
			yafdp. The same definition is deployed to AWS, executed locally by the
			commands here, and simulated.
		`),
		cmdutil.Examples(`
			# Run 1,000 orders through the saga with faults, in virtual time
			$ yafdp saga run --orders 1000 --fault payment.decline=0.05 --virtual

			# Print the embedded definition, and check your own
			$ yafdp saga definition
			$ yafdp saga validate my-saga.asl.json

			# Write a starter mock config for your definition's Task states
			$ yafdp saga mock-config --definition my-saga.asl.json > MockConfigFile.json

			# Test one state offline, as Step Functions' TestState does
			$ yafdp saga test-state --definition my-saga.asl.json --state ChargePayment --input '{"amount":12.5}' --mock-error Payment.Declined

			# Redrive the sagas that failed during a payment outage, from the failed step
			$ yafdp --env prod saga redrive --status FAILED --since 2h --error Payment.Unavailable --rate 20/s

			# Answer a Task that waits for its task token
			$ yafdp saga send-task-success "$TOKEN" --task-output '{"courierId":"c-42"}'
		`),
		NewCmdRun(f, nil),
		NewCmdDefinition(f, nil),
		NewCmdValidate(f, nil),
		NewCmdMockConfig(f, nil),
		NewCmdTestState(f, nil),
		NewCmdWatch(f, nil),
		NewCmdList(f, nil),
		NewCmdDescribe(f, nil),
		NewCmdRedrive(f, nil),
		NewCmdSendTask(f, tasktoken.Success, nil),
		NewCmdSendTask(f, tasktoken.Failure, nil),
		NewCmdSendTask(f, tasktoken.Heartbeat, nil),
	)
}
