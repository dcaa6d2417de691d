// Package order is `yafdp order`: putting orders on the pipeline. submit
// reads orders from a file (internal/order.Read), generates them or takes
// one from flags, checks them all once (awsops/submit.NewPlan), and sends
// them to the queue or the API (awsops/submit, awsops/apisubmit).
package order
