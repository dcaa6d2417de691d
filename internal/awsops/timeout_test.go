package awsops

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Each call has a limit: the operation's default unless --timeout sets
// one, and a long poll gets its wait on top.
func TestTimeoutPerOperation(t *testing.T) {
	for _, tt := range []struct {
		limit  time.Duration
		op     string
		params any
		want   time.Duration
	}{
		{0, "GetQueueUrl", nil, DefaultTimeout},
		{0, "SendMessageBatch", nil, DefaultSendTimeout},
		{2 * time.Second, "SendMessageBatch", nil, 2 * time.Second},
		{0, "ReceiveMessage", &sqs.ReceiveMessageInput{WaitTimeSeconds: 20}, DefaultTimeout + 20*time.Second},
		{time.Second, "ReceiveMessage", &sqs.ReceiveMessageInput{WaitTimeSeconds: 5}, 6 * time.Second},
		{time.Second, "ReceiveMessage", &sqs.ReceiveMessageInput{}, time.Second},
	} {
		if got := Timeout(tt.limit, tt.op, tt.params); got != tt.want {
			t.Errorf("Timeout(%s, %s) = %s, want %s", tt.limit, tt.op, got, tt.want)
		}
	}
}
