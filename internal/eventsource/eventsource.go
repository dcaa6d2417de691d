package eventsource

import "math"

// AWS's defaults and limits for an SQS event source mapping.
const (
	// DefaultBatchSize is the most messages an invocation gets by default.
	DefaultBatchSize = 10
	// DefaultInitialConcurrency is how many batches run at once at first.
	DefaultInitialConcurrency = 5
	// DefaultScalePerMinute is how many more concurrent invocations the
	// mapping adds a minute, at most, while messages wait.
	DefaultScalePerMinute = 300
	// MinMaximumConcurrency and MaxMaximumConcurrency bound the mapping's
	// MaximumConcurrency setting.
	MinMaximumConcurrency = 2
	MaxMaximumConcurrency = 1000
)

// Config is one event source mapping and the function behind it.
type Config struct {
	// BatchSize is the most messages an invocation gets.
	BatchSize int
	// InitialConcurrency is how many batches may run at once at first, and
	// the least the mapping scales back down to.
	InitialConcurrency int
	// ScalePerMinute is how many more batches may run at once after each
	// minute with messages waiting (in steps each second); 0 keeps the
	// mapping at InitialConcurrency.
	ScalePerMinute int
	// MaximumConcurrency caps the batches running at once; 0 leaves it
	// unset, and AccountConcurrency, the function's share of the
	// account's concurrency, is the cap.
	MaximumConcurrency int
	AccountConcurrency int
	// ReportBatchItemFailures: the function reports which messages failed,
	// and only those return to the queue; without it a single failure
	// returns the whole batch.
	ReportBatchItemFailures bool
}

// Defaults is a mapping as AWS creates it, for a function with the
// account's default concurrency of 1,000 that reports its failed items.
func Defaults() Config {
	return Config{
		BatchSize:               DefaultBatchSize,
		InitialConcurrency:      DefaultInitialConcurrency,
		ScalePerMinute:          DefaultScalePerMinute,
		AccountConcurrency:      1000,
		ReportBatchItemFailures: true,
	}
}

// DeletesSucceeded reports whether, once the function has run on a batch
// in which failures messages failed, the messages that succeeded are
// deleted. The others stay in the queue and come back when their
// visibility timeout ends.
func (c Config) DeletesSucceeded(failures int) bool {
	return failures == 0 || c.ReportBatchItemFailures
}

// Scaler is how many batches a mapping may run at once, and how many run.
// It is not safe for concurrent use.
type Scaler struct {
	limit, floor, ceiling, step float64
	active, peak                int
}

// NewScaler returns the scaler of a mapping that has just been created.
func NewScaler(c Config) *Scaler {
	ceiling := float64(c.AccountConcurrency)
	if c.MaximumConcurrency > 0 {
		ceiling = math.Min(ceiling, float64(c.MaximumConcurrency))
	}
	floor := math.Min(float64(c.InitialConcurrency), ceiling)
	return &Scaler{limit: floor, floor: floor, ceiling: ceiling, step: float64(c.ScalePerMinute) / 60}
}

// Tick moves the limit once a second: up by ScalePerMinute/60, to the cap
// at most, while messages wait (backlog); otherwise, while fewer batches
// run than it allows, down at the same pace to InitialConcurrency.
func (s *Scaler) Tick(backlog bool) {
	if backlog {
		s.limit = math.Min(s.ceiling, s.limit+s.step)
	} else if float64(s.active) < s.limit {
		s.limit = math.Max(s.floor, s.limit-s.step)
	}
}

// Free is how many more batches may start now; negative when more run
// than the limit allows.
func (s *Scaler) Free() int { return int(s.limit) - s.active }

// Begin counts a batch that starts, End one that is over.
func (s *Scaler) Begin() {
	s.active++
	s.peak = max(s.peak, s.active)
}

// End counts a batch that is over.
func (s *Scaler) End() { s.active-- }

// Active is how many batches run now.
func (s *Scaler) Active() int { return s.active }

// Peak is the most batches that ran at once.
func (s *Scaler) Peak() int { return s.peak }

// Limit is how many batches may run at once now.
func (s *Scaler) Limit() int { return int(s.limit) }
