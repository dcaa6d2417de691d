package sqsapi

import (
	"context"
	"net/http"

	"github.com/yafdp/yafdp/internal/queue"
)

// operation is one SQS action, ready to serve: it decodes its request from
// body, runs it and writes its answer into w, or returns an error.
type operation func(h *Handler, r *http.Request, body []byte, w *jsonWriter) error

// target is what an action's call works on: the broker, the queue the
// request names (queue actions only, see queueOp) and the request's
// context, which ends when the client goes.
type target struct {
	ctx context.Context
	b   *queue.Broker
	q   *queue.Queue
}

// op assembles an operation from its steps, which run in this order:
// decode the body into In (a SerializationException when it does not fit),
// check it (nil: nothing to check), call the model, and encode Out as the
// answer's members (nil: the answer is {}). An operation is then only its
// request shape, its checks, its call and its answer.
func op[In, Out any](check func(*In) error, call func(t target, in *In) (Out, error), encode func(*jsonWriter, Out)) operation {
	return func(h *Handler, r *http.Request, body []byte, w *jsonWriter) error {
		var in In
		if err := decode(body, &in); err != nil {
			return err
		}
		if check != nil {
			if err := check(&in); err != nil {
				return err
			}
		}
		out, err := call(target{ctx: r.Context(), b: h.b}, &in)
		if err != nil {
			return err
		}
		if encode != nil {
			encode(w, out)
		}
		return nil
	}
}

// queueRequest is a request addressed to one queue by its QueueUrl.
type queueRequest[In any] interface {
	*In
	queueURL() *string
}

// queueOp is op for the actions on one queue. SQS reports a missing member
// before a queue that does not exist, and that before a value out of
// range, so the queue is looked up between the two checks: need (members
// left out), then the queue, then check (values).
func queueOp[In, Out any, P queueRequest[In]](need, check func(*In) error, call func(t target, in *In) (Out, error), encode func(*jsonWriter, Out)) operation {
	return op(need, func(t target, in *In) (Out, error) {
		q, err := queueOf(t.b, P(in).queueURL())
		if err == nil && check != nil {
			err = check(in)
		}
		if err != nil {
			var zero Out
			return zero, err
		}
		t.q = q
		return call(t, in)
	}, encode)
}

// none is the result of an action whose answer is {}.
type none struct{}

// noAnswer adapts the call of an action whose answer is {}.
func noAnswer[In any](call func(t target, in *In) error) func(target, *In) (none, error) {
	return func(t target, in *In) (none, error) {
		return none{}, call(t, in)
	}
}

// required is MissingParameter for a member left out (present false).
func required(present bool, name string) error {
	if present {
		return nil
	}
	return missing(name)
}

// between is InvalidParameterValue for an optional number outside
// [lo, hi], with SQS's reason; nil when v is absent or within.
func between(name string, v *int, lo, hi int, reason string) error {
	if v == nil || *v >= lo && *v <= hi {
		return nil
	}
	return invalid(name, *v, reason)
}

// orZero is *v, or 0 when v is absent.
func orZero(v *int) int {
	if v == nil {
		return 0
	}
	return *v
}
