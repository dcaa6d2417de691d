// Package golden compares test output with golden files, and rewrites them
// when the tests run with -update. It is for tests only: the command line's
// (through clitest) and ui's.
package golden
