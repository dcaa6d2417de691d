package cmdutil

import "os"

// ScenarioError words a --scenario file that cannot be loaded: exit 2.
func ScenarioError(path string, err error) error {
	if os.IsNotExist(err) {
		return UsageErrorf("--scenario: %s does not exist; the shipped scenarios are in scenarios/", path)
	}
	return UsageErrorf("--scenario: %v", err)
}
