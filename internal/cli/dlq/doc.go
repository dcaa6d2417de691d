// Package dlq is `yafdp dlq`: listing the dead-letter queues, peeking at
// their messages and redriving them. Each verb is one file with an Options
// struct, a NewCmdX(f, runF) and a runX(ctx, opts); the work is
// internal/awsops/dlq's and internal/awsops/redrive's, and the verbs parse
// the queue references once (awsops.ParseQueueRef).
package dlq
