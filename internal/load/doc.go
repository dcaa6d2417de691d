// Package load drives the order pipeline at a paced rate and follows every
// order to its end: the engine of `yafdp load`. A Pacer says when each
// order is due (from a scenario's arrival schedule, as the simulator draws
// it); the run sends orders open loop through a Sender (SQS
// SendMessageBatch or POSTs to the API), never waiting for answers before
// the next is due, and counts what a track.Tracker reports of each saga.
// Latencies are measured from the intended send time, so a slow answer
// never hides the orders that should have gone meanwhile.
//
// It owns the run and its report, not their presentation: it never
// imports the CLI packages, internal/ui, cobra, viper, lipgloss or
// tablewriter.
package load
