package track

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"
)

// Combine runs several trackers as one, typically an EventBridge or Poll
// tracker with a DeadLetters watch: Setup sets each up in order (stopping
// at the first error), Run runs them together until ctx ends or one fails,
// and Teardown tears every one down.
func Combine(ts ...Tracker) Tracker { return combined(ts) }

type combined []Tracker

func (c combined) Setup(ctx context.Context) error {
	for _, t := range c {
		if err := t.Setup(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (c combined) Run(ctx context.Context, out chan<- Event) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, t := range c {
		g.Go(func() error { return t.Run(gctx, out) })
	}
	return g.Wait()
}

func (c combined) Teardown(ctx context.Context) error {
	var errs []error
	for _, t := range c {
		errs = append(errs, t.Teardown(ctx))
	}
	return errors.Join(errs...)
}
