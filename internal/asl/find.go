package asl

// Find returns the state called name anywhere in the machine: at its top,
// in a Parallel branch or in a Map's item processor (Step Functions names
// every state of a machine uniquely; the first found wins otherwise).
func (m *StateMachine) Find(name string) (*State, bool) {
	if s, ok := m.States[name]; ok && s != nil {
		return s, true
	}
	for _, n := range m.Names {
		s := m.States[n]
		if s == nil {
			continue
		}
		for _, b := range s.Branches {
			if found, ok := b.Find(name); ok {
				return found, true
			}
		}
		if s.Processor != nil {
			if found, ok := s.Processor.Find(name); ok {
				return found, true
			}
		}
	}
	return nil, false
}
