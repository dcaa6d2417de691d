// Package saga holds the order saga: the ASL document that is deployed to
// Step Functions and run by the local interpreter, the fake services it calls
// in local runs and simulations, the ledger those fakes keep of every effect,
// and the checker that proves the saga consistency invariant from that ledger.
//
// It never imports the CLI packages, internal/ui, cobra, viper, lipgloss or
// tablewriter; the commands print what it returns.
package saga
