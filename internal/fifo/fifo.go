package fifo

import "iter"

// List is a FIFO of pointers. The zero value is an empty list.
type List[T any] struct {
	s    []*T // the list is s[head:]
	head int
}

// Push adds x at the back.
func (l *List[T]) Push(x *T) { l.s = append(l.s, x) }

// Len returns how many pointers the list holds.
func (l *List[T]) Len() int { return len(l.s) - l.head }

// Front returns the first pointer, nil when the list is empty.
func (l *List[T]) Front() *T {
	if l.head == len(l.s) {
		return nil
	}
	return l.s[l.head]
}

// PopFront removes and returns the first pointer; the list must not be
// empty. The slice is reused from its start once the list empties, and
// compacted when most of it lies before the head.
func (l *List[T]) PopFront() *T {
	x := l.s[l.head]
	l.s[l.head] = nil
	l.head++
	switch {
	case l.head == len(l.s):
		l.s, l.head = l.s[:0], 0
	case l.head >= 1024 && 2*l.head >= len(l.s):
		n := copy(l.s, l.s[l.head:])
		clear(l.s[n:])
		l.s, l.head = l.s[:n], 0
	}
	return x
}

// Reset empties the list and lets its slice go.
func (l *List[T]) Reset() { l.s, l.head = nil, 0 }

// All yields the pointers from front to back.
func (l *List[T]) All() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, x := range l.s[l.head:] {
			if !yield(x) {
				return
			}
		}
	}
}
