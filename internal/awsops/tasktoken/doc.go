// Package tasktoken answers a Task that waits for its task token
// (.waitForTaskToken, or an activity): SendTaskSuccess with its output,
// SendTaskFailure with an error and a cause, SendTaskHeartbeat to keep it
// alive. It checks the answer against the API's limits before anything is
// sent, and words the API's refusals (a malformed token, a task that has
// ended).
//
// It never imports the command line; the commands turn arguments into an
// Answer and render the result.
package tasktoken
