package sfnapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"

	"github.com/yafdp/yafdp/internal/uuid"
)

// pageToken is what a nextToken carries: the listing it belongs to (the
// operation and the arguments that must stay unchanged between pages) and
// the position of the last item returned. A position rather than an offset
// keeps pages right while executions start and events are added.
type pageToken struct {
	Scope string `json:"s"`
	After uint64 `json:"a"`
}

// MaxTokenLength is the longest nextToken Step Functions accepts.
const MaxTokenLength = 1024

func encodeToken(scope string, after uint64) string {
	b, _ := json.Marshal(pageToken{Scope: scope, After: after})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken returns the position a token carries. A token from another
// listing, or one that was never issued, is InvalidToken as on AWS.
func decodeToken(tok *string, scope string) (uint64, *Error) {
	if tok == nil {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return 0, errInvalidToken()
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.Scope != scope || t.After == 0 {
		return 0, errInvalidToken()
	}
	return t.After, nil
}

// pageSize turns maxResults into a page size: 0 or absent means the
// default of 100.
func pageSize(maxResults *int64) int {
	if maxResults == nil || *maxResults == 0 {
		return 100
	}
	return int(*maxResults)
}

// newUUID returns a random (version 4) UUID, the name Step Functions gives
// an execution started without one.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return uuid.V4(b)
}
