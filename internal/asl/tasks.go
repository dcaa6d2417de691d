package asl

// TaskState is a Task state and where it runs.
type TaskState struct {
	*State
	// InMap: the state runs inside a Map state's item processor, once
	// per item.
	InMap bool
}

// Tasks lists the machine's Task states in the order of Names (by name),
// those of Parallel branches and Map processors after the state that
// holds them. Mock configs name Task states, wherever they are, by their
// name.
func (m *StateMachine) Tasks() []TaskState {
	return m.appendTasks(nil, false)
}

func (m *StateMachine) appendTasks(out []TaskState, inMap bool) []TaskState {
	for _, name := range m.Names {
		s := m.States[name]
		if s.Type == TypeTask {
			out = append(out, TaskState{State: s, InMap: inMap})
		}
		for _, b := range s.Branches {
			out = b.appendTasks(out, inMap)
		}
		if s.Processor != nil {
			out = s.Processor.appendTasks(out, true)
		}
	}
	return out
}

// ItemReaders returns the Distributed Map states with an ItemReader, at the
// top of the machine, in Parallel branches and in Map processors, in
// document order; InMap says whether one runs inside another Map.
func (m *StateMachine) ItemReaders() []TaskState {
	return m.appendReaders(nil, false)
}

func (m *StateMachine) appendReaders(out []TaskState, inMap bool) []TaskState {
	for _, name := range m.Names {
		s := m.States[name]
		if s.ReadsItems() {
			out = append(out, TaskState{State: s, InMap: inMap})
		}
		for _, b := range s.Branches {
			out = b.appendReaders(out, inMap)
		}
		if s.Processor != nil {
			out = s.Processor.appendReaders(out, true)
		}
	}
	return out
}
