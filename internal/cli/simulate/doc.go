// Package simulate is `yafdp simulate`: it says which flags were set
// (sim.Overrides), lets internal/sim load and run the scenario in virtual
// time, and renders the report as a table, JSON or charts.
package simulate
