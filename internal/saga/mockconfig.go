package saga

import (
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// StarterMockConfig loads the definition in file and writes a starter mock
// config (Step Functions Local format) for its Task states: state machine
// machine (named after the file when ""), one test case testCase. A file
// that cannot be read or parsed, a definition without a Task state, or a
// Resource that is not an integration is an *input.Error on the field
// "definition".
func StarterMockConfig(file, machine, testCase string) (*mockconfig.Starter, error) {
	d, err := LoadDefinition(file)
	if err != nil {
		return nil, err
	}
	if machine == "" {
		machine = d.Name
	}
	var tasks []mockconfig.StarterTask
	for _, s := range d.Machine.Tasks() {
		t := mockconfig.StarterTask{State: s.Name, Resource: s.Resource, InMap: s.InMap}
		for _, r := range s.Retry {
			t.Retry = append(t.Retry, mockconfig.StarterRetrier{ErrorEquals: r.ErrorEquals, MaxAttempts: r.MaxAttempts})
		}
		for _, c := range s.Catch {
			t.Catch = append(t.Catch, c.ErrorEquals)
		}
		tasks = append(tasks, t)
	}
	for _, s := range d.Machine.ItemReaders() {
		tasks = append(tasks, mockconfig.StarterTask{State: s.Name, InMap: s.InMap, ItemReader: true})
	}
	if len(tasks) == 0 {
		return nil, input.Errorf("definition", "%s has no Task state, and a mock config answers only Task states", file).
			WithFix("give a definition with the Task states to mock")
	}
	st, err := mockconfig.NewStarter(machine, testCase, tasks)
	if err != nil {
		return nil, input.Errorf("definition", "%s: %v", file, err)
	}
	return st, nil
}
