// Package local is `yafdp local`: the pipeline on this machine. up parses
// its flags into internal/local's options (the fakes, the new-order
// function's faults, the definition) and serves until Ctrl-C.
package local
