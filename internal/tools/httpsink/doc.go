// Command httpsink is the trivial HTTP target of scripts/bench-load-pacing.sh:
// it answers every POST at once with 200 and a small JSON body, so that a
// pacing benchmark measures the load generator, not the target. It also
// notes when each POST arrived, so that the script measures every load
// generator the same way, from the target's side:
//
//	httpsink -addr 127.0.0.1:0     # prints its URL, serves until killed
//	GET /arrivals                  # the arrival times (Unix ns), one a line, since the last GET
package main
