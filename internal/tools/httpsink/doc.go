// Command httpsink is the trivial HTTP target of scripts/bench-load-pacing.sh:
// it answers every request at once with 200 and a small JSON body, so that
// a pacing benchmark measures the load generator, not the target.
//
//	httpsink -addr 127.0.0.1:0     # prints its URL, serves until killed
package main
