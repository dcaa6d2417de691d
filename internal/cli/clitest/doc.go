// Package clitest helps test commands: a Factory with buffers for streams
// and no AWS, a way to run one command with arguments, and golden files
// refreshed with `go test -update`.
package clitest
