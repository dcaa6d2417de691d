package redrive

import (
	"net/http"
	"testing"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// run redrives p's DLQ through c with opts, retries not waiting, and fails
// the test on an error.
func run(t *testing.T, p *opstest.Pipeline, c awsops.SQSAPI, opts Options) *Result {
	t.Helper()
	opts.Source = p.DLQ
	if opts.Sleep == nil {
		opts.Sleep = opstest.NoSleep
	}
	rr, err := Redrive(p.Ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

// runCopy is run with the copy strategy and a journal of its own, closed
// as finished.
func runCopy(t *testing.T, p *opstest.Pipeline, c awsops.SQSAPI, opts Options) *Result {
	t.Helper()
	j := openJournal(t, opstest.JournalPath(t), p)
	opts.Strategy, opts.Journal = StrategyCopy, j
	rr := run(t, p, c, opts)
	j.Close(true)
	return rr
}

func openJournal(t *testing.T, path string, p *opstest.Pipeline) *JournalFile {
	t.Helper()
	j, _, err := OpenJournal(path, p.DLQ.URL)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
