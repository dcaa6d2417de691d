package local

import (
	"github.com/yafdp/yafdp/internal/local/eventsapi"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

// sfnEvents puts Step Functions' execution status changes on the event
// bus, as Step Functions does on AWS.
type sfnEvents struct{ bus *eventsapi.Bus }

var _ sfnapi.StatusSink = sfnEvents{}

func (a sfnEvents) Wants() bool { return a.bus.Wants(sfnapi.EventSource) }

func (a sfnEvents) StatusChanged(c sfnapi.StatusChange) {
	a.bus.Put(eventsapi.Event{
		Source:     sfnapi.EventSource,
		DetailType: sfnapi.DetailTypeStatusChange,
		Time:       c.Time,
		Resources:  []string{c.ExecutionARN},
		Detail:     c.Detail,
	})
}
