// Package build holds the version information stamped into the binary at
// link time, for example:
//
//	go build -ldflags "-X github.com/yafdp/yafdp/internal/build.Version=1.2.3 \
//	  -X github.com/yafdp/yafdp/internal/build.Commit=$(git rev-parse HEAD) \
//	  -X github.com/yafdp/yafdp/internal/build.Date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// It owns the version, commit and build date the binary reports (`yafdp
// version`) and, in deps.go, the modules kept in go.mod ahead of their
// first use. Outside the tools build tag of deps.go it imports only the
// standard library, so that any package may import it.
package build
