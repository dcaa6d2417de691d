// Package sim is the discrete-event model of the order pipeline: arrivals
// through API Gateway onto the SQS queue, the new-order Lambda behind its
// event source mapping, the StartExecution throttle, the saga itself run by
// the ASL engine against the fake services, and the dead-letter queue. It
// runs on the virtual clock, so an hour of traffic costs seconds, and
// reports throughput, latency percentiles, queue depth, throttles, cost and
// the saga invariant.
//
// It owns the model and its report, not their presentation: it never imports
// the CLI packages, internal/ui, cobra, viper, lipgloss or tablewriter. The
// event source's rules are internal/eventsource's, the queues internal/queue's,
// the saga's fakes and checker internal/saga's; sim drives them.
package sim
