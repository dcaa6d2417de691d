package cmdutil

import (
	"errors"
	"io/fs"
)

// ScenarioError words a --scenario file that cannot be loaded: exit 2.
func ScenarioError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return UsageErrorf("--scenario: %s does not exist; the shipped scenarios are in scenarios/", path)
	}
	return UsageErrorf("--scenario: %v", err)
}
