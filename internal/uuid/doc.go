// Package uuid formats random (version 4) UUIDs. The callers draw the 16
// bytes from their own sources: crypto/rand where the id must be
// unguessable, a seeded stream where a run must repeat itself.
//
// It imports only the standard library.
package uuid
