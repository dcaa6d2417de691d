package mockconfig

// Skip counts n invocations of state as already made, so that the run's
// next answer to it is invocation n's: a redriven execution restored from
// its history goes on where its test case was.
func (r *Run) Skip(state string, n int) {
	m, ok := r.c.states[state]
	if !ok || n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = r.small[:0]
		if len(r.c.states) > len(r.small) {
			r.calls = make([]int, 0, len(r.c.states))
		}
		r.calls = r.calls[:len(r.c.states)]
	}
	r.calls[m.i] += n
}
