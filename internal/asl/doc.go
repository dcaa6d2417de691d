// Package asl parses, validates and runs Amazon States Language documents:
// it is the Step Functions engine that every command running a state
// machine shares.
//
// A definition is parsed once into a StateMachine whose paths, payload
// templates, intrinsic calls and choice rules are all compiled. An Engine
// runs executions of it on a clock.Clock, the real one or a virtual
// discrete-event one on which a back-off costs no wall time. Task states
// call TaskHandlers looked up by Resource. Executions record history events
// with the real Step Functions event type names and JSON shapes (history.go,
// history_json.go), which FromSFN reads back from the SDK's types.
//
// A Pool (pool.go) is the one door to the engine's fast path, for a caller
// that runs a great many executions of one machine on one goroutine; it
// runs the same states the same way, with fewer allocations and no locks.
//
// Engine.Redrive (redrive.go) resumes an execution that ended FAILED,
// TIMED_OUT or ABORTED from its history alone, as RedriveExecution does.
//
// Engine.TestState (teststate.go) runs one state on its own, as Step
// Functions' TestState API does, keeping its data at each stage; package
// teststate puts AWS's request checks and answer shape around it.
//
// The package owns the language and its semantics, nothing else: no
// transport (HTTP, the Step Functions API wire format beyond history
// events), no persistence, no fake services. It never imports the CLI
// packages, cobra, viper, lipgloss or tablewriter; of yafdp it imports only
// its own sub-packages, clock and awsjson (the JSON form of history events).
package asl
