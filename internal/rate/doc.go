// Package rate owns the rate: so many events per period, as vegeta's Rate
// is. It is the value of every rate setting (order submit's and dlq
// redrive's --rate, simulate's --rate, --payment-tps and --start-rate, a
// scenario's rates) and has one grammar: a number, optionally followed by
// /ms, /s, /m or /h (per second without a unit), e.g. 500/s, 30000/m, 2/ms.
// Where a rate is a limit, 0 and "unlimited" mean no limit.
//
// It knows nothing of flags: the command line wraps a *Rate in its own
// pflag.Value.
package rate
