package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/yafdp/yafdp/internal/input"
)

// flagOfField is the one place where the command line maps the fields
// that domain packages name (in input errors and in notes) to the flags
// that set them. A %s in a flag shows the field as well: an order item's
// items[1].qty is set with --item, and shown as "--item (items[1].qty)".
// The global flags (--region, --env, ...) come from globalFlagKeys.
var flagOfField = map[input.Field]string{
	// Queues, state machines and executions.
	"queue":         "--queue",
	"target":        "--to",
	"state_machine": "--state-machine",
	"api_url":       "--api-url",
	"via":           "--via",
	"rate":          "--rate",
	// dlq redrive.
	"strategy": "--strategy",
	"max":      "--max",
	"filter":   "--filter",
	"dry_run":  "--dry-run",
	"journal":  "--journal",
	// order submit's one order from flags.
	"orderId":                    "--order-id",
	"customerId":                 "--customer-id",
	"restaurantId":               "--restaurant-id",
	"items":                      "--item (%s)",
	"totalCents":                 "--item (%s)",
	"currency":                   "--currency",
	"deliveryAddress.line1":      "--line1",
	"deliveryAddress.city":       "--city",
	"deliveryAddress.postalCode": "--postal-code",
	"deliveryAddress.country":    "--country",
	"placedAt":                   "--placed-at",
	// The scenario settings simulate has flags for.
	"arrivals.rate":                   "--rate",
	"arrivals.duration":               "--duration",
	"arrivals.process":                "--process",
	"lambda.maximum_concurrency":      "--max-concurrency",
	"lambda.batch_size":               "--batch-size",
	"payment.tps":                     "--payment-tps",
	"payment.burst":                   "--payment-burst",
	"step_functions.start_rate":       "--start-rate",
	"step_functions.type":             "--type",
	"step_functions.duplicate_starts": "--duplicate-starts",
	"max_drain":                       "--max-drain",
	"latency":                         "--latency",
	// local up, saga run, simulate.
	"fault":      "--fault",
	"input":      "--input",
	"addr":       "--addr",
	"data_dir":   "--data-dir",
	"definition": "--definition",
	"scenario":   "--scenario",
	// Mock configs (saga run, local up, simulate).
	"mock_config":        "--mock-config",
	"test_case":          "--test-case",
	"state_machine_name": "--state-machine-name",
	// saga send-task-success, -failure, -heartbeat.
	"task_token":  "TOKEN",
	"task_output": "--task-output",
	"error":       "--error",
	"cause":       "--cause",
}

// FlagOf names a field as the user knows it: the flag that sets it, or
// the field itself when no flag does.
func FlagOf(f input.Field) string {
	if flag, ok := flagOfField[f]; ok {
		return showField(flag, f)
	}
	root, _, _ := strings.Cut(strings.SplitN(string(f), "[", 2)[0], ".")
	if flag, ok := flagOfField[input.Field(root)]; ok && strings.Contains(flag, "%s") {
		return showField(flag, f)
	}
	if flag := globalFlagOf(string(f)); flag != "" {
		return flag
	}
	return string(f)
}

func showField(flag string, f input.Field) string {
	if strings.Contains(flag, "%s") {
		return fmt.Sprintf(flag, f)
	}
	return flag
}

// InputError turns bad input that a domain package found (an
// *input.Error in err's chain) into a usage error (exit 2) that names
// flags, not fields. Other errors come back as they are.
func InputError(err error) error {
	if _, ok := input.As(err); ok {
		return &UsageError{err: errors.New(flagText(err))}
	}
	return err
}

// FlagError is InputError for a flag's value: every error is a usage
// error, with a pointer to the command's help.
func FlagError(err error) error {
	if _, ok := input.As(err); ok {
		return &UsageError{err: errors.New(flagText(err)), ShowHelpHint: true}
	}
	return FlagErrorWrap(err)
}

// flagText is err's message with its *input.Error named in flags; what
// wraps it (such as "order 3: ") stays as it is.
func flagText(err error) string {
	e, _ := input.As(err)
	return strings.Replace(err.Error(), e.Error(), e.Render(FlagOf), 1)
}
