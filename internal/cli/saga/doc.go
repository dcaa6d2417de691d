// Package saga is `yafdp saga`: running the saga locally (run, through
// internal/saga's RunBatch and RunOne), printing and validating its
// definition, and following executions on Step Functions (watch, list,
// describe, through internal/awsops/executions). Each verb is one file with
// an Options struct, a NewCmdX(f, runF) and a runX(ctx, opts); the
// timeline and the reports are rendered here.
package saga
