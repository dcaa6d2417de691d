// Package taskcases runs what the Task corpus (../shared/conformance-tasks,
// kind "execution") asks of every way yafdp executes a state machine: the
// engine, local up's API and saga run. It picks the mock config that
// answers a case's Tasks and compares a result with AWS's recording.
//
// Only tests import it.
package taskcases
