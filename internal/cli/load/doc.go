// Package load is `yafdp load` and `yafdp load merge`: it turns flags
// into a load.Options (the scenario, the sender, the tracker), asks before
// loading anything that is not on this machine, and renders the report
// (table, JSON, charts, the live view on a terminal, the comparison with
// the simulation).
package load
