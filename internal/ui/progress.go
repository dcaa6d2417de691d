package ui

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is a one-line progress counter for standard error on a terminal:
// "  412/1,000 sagas ended  41%". It redraws at most ten times a second and
// clears its line when done. Create it only when the stream can redraw.
type Progress struct {
	w     io.Writer
	total int64
	label string
	now   func() time.Time

	mu    sync.Mutex
	last  time.Time
	shown bool
}

// NewProgress returns a progress line for total units of work named label.
func NewProgress(w io.Writer, total int64, label string) *Progress {
	return &Progress{w: w, total: total, label: label, now: time.Now}
}

// Set reports that done units are finished. Safe for concurrent use; a
// nil bar (no terminal to draw on) does nothing.
func (p *Progress) Set(done int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if done < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	if p.total > 0 {
		// Never past the end: "230/120 191.7%" is no progress.
		done = min(done, p.total)
	}
	pct := ""
	if p.total > 0 {
		pct = Percent(float64(done) / float64(p.total))
	}
	fmt.Fprintf(p.w, "\r\033[K  %s/%s %s  %s", Count(done), Count(p.total), p.label, pct)
}

// Done clears the line; a nil bar does nothing.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
