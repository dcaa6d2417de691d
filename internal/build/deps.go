//go:build tools

package build

// These imports keep modules that the project has chosen, but that no
// package imports yet, in go.mod: `go mod tidy` considers every build tag,
// while the tools tag keeps them out of every build. Remove a line once real
// code imports the module.
import (
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "github.com/brianvoe/gofakeit/v7"
	_ "golang.org/x/time/rate"
	_ "pgregory.net/rapid"
)
