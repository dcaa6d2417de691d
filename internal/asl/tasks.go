package asl

// Tasks lists the machine's Task states in the order of Names (by name),
// those of Parallel branches and Map processors after the state that
// holds them.
// Mock configs name Task states, wherever they are, by their name.
func (m *StateMachine) Tasks() []*State {
	var out []*State
	for _, name := range m.Names {
		s := m.States[name]
		if s.Type == TypeTask {
			out = append(out, s)
		}
		for _, b := range s.Branches {
			out = append(out, b.Tasks()...)
		}
		if s.Processor != nil {
			out = append(out, s.Processor.Tasks()...)
		}
	}
	return out
}
