package local

import "github.com/yafdp/yafdp/internal/local/sfnapi"

// NewStartErrorForTest is newStartError for the external tests.
func NewStartErrorForTest(code, message string) error {
	return newStartError(&sfnapi.Error{Code: code, Message: message})
}
