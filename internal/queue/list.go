package queue

// link is an element's place in a doubly linked list threaded through the
// elements themselves: the list costs no memory of its own, and an element
// may be in several lists, with a link for each.
type link[T any] struct{ prev, next *T }

// chain is such a list's ends. Its methods take the function that finds an
// element's link in this list.
type chain[T any] struct{ head, tail *T }

// pushBack appends x.
func (c *chain[T]) pushBack(x *T, at func(*T) *link[T]) {
	lx := at(x)
	lx.prev, lx.next = c.tail, nil
	if c.tail != nil {
		at(c.tail).next = x
	} else {
		c.head = x
	}
	c.tail = x
}

// remove takes x out of the list.
func (c *chain[T]) remove(x *T, at func(*T) *link[T]) {
	lx := at(x)
	if lx.prev != nil {
		at(lx.prev).next = lx.next
	} else {
		c.head = lx.next
	}
	if lx.next != nil {
		at(lx.next).prev = lx.prev
	} else {
		c.tail = lx.prev
	}
	lx.prev, lx.next = nil, nil
}
