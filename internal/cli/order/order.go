package order

import (
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

// NewCmd returns the order command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewNoun("order <command>", "Submit orders to the pipeline",
		cmdutil.Heredoc(`
			Submit orders to the pipeline.

			Orders are order messages (v1): JSON with orderId, customerId, restaurantId,
			items, currency, totalCents, deliveryAddress and placedAt. They go onto the
			orders queue (or to the API Gateway endpoint in front of it), from where the
			new-order Lambda starts one saga per order.
		`),
		cmdutil.Examples(`
			# Put 500 realistic orders on the staging queue, 50 a second
			$ yafdp --env staging order submit --generate 500 --rate 50/s

			# Check a file of orders without sending anything
			$ yafdp order submit --file orders.ndjson --queue orders --dry-run
		`),
		NewCmdSubmit(f, nil),
	)
}
