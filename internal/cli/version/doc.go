// Package version is `yafdp version`: the build information of the
// binary, as a table or JSON.
package version
