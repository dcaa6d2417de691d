package asl

import "time"

// ExpressMaxDuration is the longest an Express workflow execution runs: it
// then ends TIMED_OUT with an ExecutionTimedOut event (States.Timeout), as
// one that exceeds its TimeoutSeconds. Pass it as StartOptions.MaxDuration.
const ExpressMaxDuration = 5 * time.Minute

// ExpressTimeoutCause is the cause of that event. AWS's own wording for an
// Express execution cut at five minutes is in none of the recorded corpora;
// this one says what happened.
const ExpressTimeoutCause = "The execution exceeded the 5-minute maximum duration of an Express workflow."
