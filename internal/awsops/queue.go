package awsops

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/input"
)

// Queue is an SQS queue resolved from a URL or name.
type Queue struct {
	URL  string `json:"url"`
	Name string `json:"name"`
	// FIFO is true for a FIFO queue (its name ends in .fifo).
	FIFO bool `json:"fifo"`
}

// QueueAt returns the queue at a URL, named after its last path segment.
func QueueAt(url string) Queue {
	name := queueNameFromURL(url)
	return Queue{URL: url, Name: name, FIFO: IsFIFOName(name)}
}

// IsFIFOName reports a FIFO queue's name, which ends in .fifo.
func IsFIFOName(name string) bool { return len(name) > 5 && strings.HasSuffix(name, ".fifo") }

// QueueRef is a queue as the user names it, a URL, an ARN or a name,
// checked once without calling AWS.
type QueueRef struct {
	ref     string
	url     string // when given as a URL
	name    string
	arn     bool   // given as an ARN
	account string // the ARN's account
}

// ParseQueueRef checks a queue URL, ARN or name without calling AWS and
// returns an *input.Error naming field when it is none of them.
func ParseQueueRef(field input.Field, ref string) (QueueRef, error) {
	if ref == "" {
		return QueueRef{}, input.Errorf(field, "no queue given").
			WithFix("pass a queue URL or name, or select an environment that has one (%s)", input.Field("env"))
	}
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return QueueRef{}, input.Errorf(field, "%q is not a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/orders", ref)
		}
		name := queueNameFromURL(ref)
		if name == "" {
			return QueueRef{}, input.Errorf(field, "%q has no queue name at the end of its path", ref)
		}
		return QueueRef{ref: ref, url: ref, name: name}, nil
	}
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) != 6 || parts[2] != "sqs" || !validQueueName(parts[5]) {
			return QueueRef{}, input.Errorf(field, "%q is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME); pass the queue URL or name", ref)
		}
		return QueueRef{ref: ref, name: parts[5], arn: true, account: parts[4]}, nil
	}
	if !validQueueName(ref) {
		return QueueRef{}, input.Errorf(field, "%q is not a queue name: 1 to 80 letters, digits, - or _, with .fifo at the end of a FIFO queue", ref)
	}
	return QueueRef{ref: ref, name: ref}, nil
}

// String returns the reference as the user gave it.
func (r QueueRef) String() string { return r.ref }

// IsZero reports that no queue was named.
func (r QueueRef) IsZero() bool { return r.ref == "" }

// Queue is the queue as far as the reference tells without AWS: its name,
// whether it is FIFO, and its URL when that was given. A dry run needs no
// more, nor credentials.
func (r QueueRef) Queue() Queue {
	return Queue{URL: r.url, Name: r.name, FIFO: IsFIFOName(r.name)}
}

func validQueueName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 80 {
		return false
	}
	for _, c := range base {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func queueNameFromURL(u string) string {
	u = strings.TrimRight(u, "/")
	i := strings.LastIndexByte(u, '/')
	if i < 0 {
		return ""
	}
	name := u[i+1:]
	if !validQueueName(name) {
		return ""
	}
	return name
}

// ResolveQueue finds the queue a reference names: a URL is checked with
// GetQueueAttributes, a name (or the name in an ARN) is looked up with
// GetQueueUrl. A queue that does not exist is an *input.Error naming field.
func ResolveQueue(ctx context.Context, c SQSAPI, field input.Field, r QueueRef) (Queue, error) {
	if r.url != "" {
		// A URL is checked too, so that a queue that does not exist is
		// the same usage error however it is named, found before
		// anything is sent or received.
		_, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(r.url),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
		if err != nil {
			if IsQueueMissing(err) {
				return Queue{}, input.Errorf(field, "queue %s does not exist", r.url).
					WithFix("check the URL, %s and %s", input.Field("endpoint_url"), input.Field("env"))
			}
			return Queue{}, fmt.Errorf("looking up queue %s: %w", r.url, err)
		}
		return r.Queue(), nil
	}
	in := &sqs.GetQueueUrlInput{QueueName: aws.String(r.name)}
	if r.arn {
		in.QueueOwnerAWSAccountId = aws.String(r.account)
	}
	out, err := c.GetQueueUrl(ctx, in)
	if err != nil {
		if IsQueueMissing(err) {
			return Queue{}, input.Errorf(field, "queue %q does not exist in this account and region", r.name).
				WithFix("check the name, %s and %s", input.Field("region"), input.Field("env"))
		}
		return Queue{}, fmt.Errorf("looking up queue %q: %w", r.ref, err)
	}
	q := r.Queue()
	q.URL = aws.ToString(out.QueueUrl)
	return q, nil
}

// QueueStats are the attributes of a queue that yafdp shows.
type QueueStats struct {
	ARN string
	// Visible is ApproximateNumberOfMessages, InFlight
	// ApproximateNumberOfMessagesNotVisible, Delayed
	// ApproximateNumberOfMessagesDelayed.
	Visible, InFlight, Delayed int64
	// RedrivePolicy is the queue's own dead-letter configuration, if any.
	RedrivePolicy string
	// VisibilityTimeout is the queue's default, in seconds.
	VisibilityTimeout int
	// ContentBasedDeduplication is set on FIFO queues that hash bodies.
	ContentBasedDeduplication bool
}

// Stats reads a queue's attributes. A queue that does not exist is an
// *input.Error naming field.
func Stats(ctx context.Context, c SQSAPI, field input.Field, queueURL string) (QueueStats, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		if IsQueueMissing(err) {
			return QueueStats{}, input.Errorf(field, "queue %s does not exist", queueURL)
		}
		return QueueStats{}, fmt.Errorf("reading the attributes of %s: %w", queueURL, err)
	}
	a := out.Attributes
	n := func(k types.QueueAttributeName) int64 {
		v, _ := strconv.ParseInt(a[string(k)], 10, 64)
		return v
	}
	return QueueStats{
		ARN:                       a[string(types.QueueAttributeNameQueueArn)],
		Visible:                   n(types.QueueAttributeNameApproximateNumberOfMessages),
		InFlight:                  n(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible),
		Delayed:                   n(types.QueueAttributeNameApproximateNumberOfMessagesDelayed),
		RedrivePolicy:             a[string(types.QueueAttributeNameRedrivePolicy)],
		VisibilityTimeout:         int(n(types.QueueAttributeNameVisibilityTimeout)),
		ContentBasedDeduplication: a[string(types.QueueAttributeNameContentBasedDeduplication)] == "true",
	}, nil
}
