package saga_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/sagaredrive"
	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// A saga whose payment fails with the provider's outage on its first two
// invocations and works from the third: an execution fails, its first
// redrive fails again, a second would succeed. Another test case is
// declined for good, one succeeds at once.
const outageSaga = `{"StartAt":"Order","States":{
 "Order":{"Type":"Pass","Next":"Pay"},
 "Pay":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"pay","Payload.$":"$"},"End":true}}}`

const outageMock = `{
 "StateMachines":{"order-saga":{"TestCases":{
   "Outage":{"Pay":"DownTwice"},"Declined":{"Pay":"Declined"},"Fine":{"Pay":"Up"}}}},
 "MockedResponses":{
   "DownTwice":{"0-1":{"Throw":{"Error":"Payment.Unavailable","Cause":"provider outage"}},"2":{"Return":{"paid":true}}},
   "Declined":{"0-9":{"Throw":{"Error":"Payment.Declined","Cause":"card expired"}}},
   "Up":{"0":{"Return":{"paid":true}}}}}`

// redriveEnv serves Step Functions on 127.0.0.1 (through wrap, when set)
// with the outage saga and returns its URL, a client and the machine's ARN.
func redriveEnv(t *testing.T, wrap func(http.Handler) http.Handler) (string, *sfn.Client, string) {
	t.Helper()
	cfg, err := mockconfig.Parse([]byte(outageMock))
	if err != nil {
		t.Fatal(err)
	}
	svc := sfnapi.New(&asl.Engine{}, sfnapi.Options{Mock: cfg})
	var h http.Handler = svc.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); svc.Close() })
	c := awstest.SFN(srv.URL, nil)
	m, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("order-saga"),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(outageSaga)})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("YAFDP_CONFIG", "")
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"} {
		t.Setenv(k, v)
	}
	return srv.URL, c, aws.ToString(m.StateMachineArn)
}

// startOrders starts one execution per order with the test case given and
// waits until each has ended.
func startOrders(t *testing.T, c *sfn.Client, sm string, orders map[string]string) {
	t.Helper()
	ctx := context.Background()
	for name, tc := range orders {
		if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#" + tc), Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	for name := range orders {
		waitEnded(t, c, sm, name)
	}
}

func waitEnded(t *testing.T, c *sfn.Client, sm, name string) *sfn.DescribeExecutionOutput {
	t.Helper()
	arn := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":" + name
	for deadline := time.Now().Add(time.Minute); ; {
		d, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			return d
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// yafdp runs the CLI through its root command against url.
func yafdp(ctx context.Context, url string, args ...string) (int, string, string) {
	ios, _, out, errOut := iostreams.Test()
	code := cli.Run(ctx, append([]string{"--endpoint-url", url}, args...), ios)
	return code, out.String(), errOut.String()
}

func TestSagaRedriveOne(t *testing.T) {
	url, c, sm := redriveEnv(t, nil)
	startOrders(t, c, sm, map[string]string{"ord_1": "Outage", "ord_ok": "Fine"})
	code, out, errOut := yafdp(context.Background(), url, "--output", "json", "saga", "redrive", "ord_1", "--state-machine", "order-saga")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var res sagaredrive.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Selected != 1 || res.Redriven != 1 || res.Items[0].Outcome != "redriven" || res.Items[0].RedriveDate == nil {
		t.Fatalf("result %+v", res)
	}
	if d := waitEnded(t, c, sm, "ord_1"); d.Status != types.ExecutionStatusFailed || aws.ToInt32(d.RedriveCount) != 1 {
		t.Fatalf("after the redrive: %s, %d redrives", d.Status, aws.ToInt32(d.RedriveCount))
	}

	if _, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("fast"), Type: types.StateMachineTypeExpress,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(outageSaga)}); err != nil {
		t.Fatal(err)
	}

	// Bad input: one line naming the field and the fix, exit 2, nothing
	// redriven.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"saga", "redrive", "ord_ok", "--state-machine", "order-saga"}, "execution: ord_ok is SUCCEEDED and cannot be redriven"},
		{[]string{"saga", "redrive", "ord_nope", "--state-machine", "order-saga"}, "no execution named"},
		{[]string{"saga", "redrive", "--state-machine", "order-saga", "--since", "yesterday"}, "--since: \"yesterday\" is neither a duration"},
		{[]string{"saga", "redrive", "--state-machine", "order-saga", "--status", "SUCCEEDED"}, "--status: \"SUCCEEDED\" cannot be redriven; pass FAILED, TIMED_OUT or ABORTED"},
		{[]string{"saga", "redrive", "ord_1", "--state-machine", "order-saga", "--status", "FAILED"}, "--status selects executions in bulk"},
		{[]string{"saga", "redrive", "--state-machine", "order-saga", "--rate", "fast"}, "--rate"},
		{[]string{"saga", "redrive", "ord_1", "--state-machine", "fast"}, "fast is an Express state machine, whose executions Step Functions does not redrive"},
		{[]string{"saga", "redrive", "--state-machine", "fast"}, "fast is an Express state machine"},
		{[]string{"saga", "redrive", "arn:aws:states:us-east-1:123456789012:express:fast:ord_1:abc"}, "is an Express execution, which Step Functions does not redrive"},
	} {
		code, out, errOut := yafdp(context.Background(), url, tc.args...)
		// One line says what is wrong; a flag error adds the usual pointer
		// to --help.
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		hint := len(lines) == 1 || len(lines) == 2 && strings.HasPrefix(lines[1], "Run 'yafdp saga redrive --help'")
		if code != 2 || out != "" || !hint || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line with %q", tc.args, code, out, errOut, tc.want)
		}
	}
	if d := waitEnded(t, c, sm, "ord_1"); aws.ToInt32(d.RedriveCount) != 1 {
		t.Errorf("bad input redrove ord_1: %d redrives", aws.ToInt32(d.RedriveCount))
	}
}

func TestSagaRedriveBulkDryRunThenRun(t *testing.T) {
	url, c, sm := redriveEnv(t, nil)
	startOrders(t, c, sm, map[string]string{"ord_a": "Outage", "ord_b": "Outage", "ord_c": "Declined", "ord_d": "Fine"})
	args := []string{"--output", "json", "saga", "redrive", "--state-machine", "order-saga", "--status", "FAILED", "--since", "1h", "--error", "Payment.Unavailable"}

	code, out, errOut := yafdp(context.Background(), url, append(args, "--dry-run")...)
	var res sagaredrive.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("dry run: exit %d %s %s", code, out, errOut)
	}
	if !res.DryRun || res.Selected != 2 || res.Redriven != 0 || res.Listed != 3 || res.Journal != "" {
		t.Fatalf("dry run: %+v", res)
	}
	for _, it := range res.Items {
		if it.Outcome != "would redrive" || (it.Name != "ord_a" && it.Name != "ord_b") {
			t.Errorf("dry run listed %+v", it)
		}
	}
	for _, name := range []string{"ord_a", "ord_b", "ord_c"} {
		if d := waitEnded(t, c, sm, name); aws.ToInt32(d.RedriveCount) != 0 {
			t.Errorf("the dry run redrove %s", name)
		}
	}

	code, out, errOut = yafdp(context.Background(), url, append(args, "--rate", "50/s")...)
	res = sagaredrive.Result{}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("run: exit %d %s %s", code, out, errOut)
	}
	if res.Selected != 2 || res.Redriven != 2 || res.Failed != 0 || res.Journal == "" {
		t.Fatalf("run: %+v", res)
	}
	for name, want := range map[string]int32{"ord_a": 1, "ord_b": 1, "ord_c": 0, "ord_d": 0} {
		if d := waitEnded(t, c, sm, name); aws.ToInt32(d.RedriveCount) != want {
			t.Errorf("%s: %d redrives, want %d", name, aws.ToInt32(d.RedriveCount), want)
		}
	}
}

// A bulk run killed while a redrive is in flight (the call landed, its
// answer never came back) resumes when run again: nothing is redriven
// twice, though every redriven execution failed again and is listed again.
func TestSagaRedriveKilledRunResumes(t *testing.T) {
	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	var calls atomic.Int32
	var once sync.Once
	url, c, sm := redriveEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Amz-Target") != "AWSStepFunctions.RedriveExecution" || calls.Add(1) != 2 {
				next.ServeHTTP(w, r)
				return
			}
			// The second redrive lands, and the run dies before its answer.
			next.ServeHTTP(httptest.NewRecorder(), r)
			once.Do(kill)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
	})
	orders := map[string]string{}
	for i := range 5 {
		orders[fmt.Sprintf("ord_%d", i)] = "Outage"
	}
	startOrders(t, c, sm, orders)
	journal := filepath.Join(t.TempDir(), "outage.journal")
	args := []string{"--output", "json", "saga", "redrive", "--state-machine", "order-saga", "--error", "Payment.Unavailable", "--journal", journal}

	code, out, errOut := yafdp(ctx, url, args...)
	if code != 130 {
		t.Fatalf("killed run: exit %d, want 130\n%s\n%s", code, out, errOut)
	}
	var first sagaredrive.Result
	if err := json.Unmarshal([]byte(out), &first); err != nil || !first.Interrupted || first.Redriven != 1 {
		t.Fatalf("killed run reported %+v (%v)", first, err)
	}
	for name := range orders {
		waitEnded(t, c, sm, name) // the redriven ones fail again
	}

	code, out, errOut = yafdp(context.Background(), url, args...)
	if code != 0 {
		t.Fatalf("resumed run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Resuming from "+journal+": an earlier run stopped with 1 execution recorded redriven and 1 redrive unconfirmed") {
		t.Errorf("resumed run said %q", errOut)
	}
	var second sagaredrive.Result
	if err := json.Unmarshal([]byte(out), &second); err != nil {
		t.Fatal(err)
	}
	if second.Selected != 5 || second.Redriven != 3 || second.Skipped != 2 || second.Failed != 0 {
		t.Errorf("resumed run: %+v", second)
	}
	for name := range orders {
		if d := waitEnded(t, c, sm, name); aws.ToInt32(d.RedriveCount) != 1 || d.Status != types.ExecutionStatusFailed {
			t.Errorf("%s: %s with %d redrives, want FAILED with exactly 1", name, d.Status, aws.ToInt32(d.RedriveCount))
		}
	}

	// The run finished: the next one with the same journal selects afresh
	// (a second redrive of each, which the outage test case now answers).
	code, out, errOut = yafdp(context.Background(), url, args...)
	var third sagaredrive.Result
	if code != 0 || json.Unmarshal([]byte(out), &third) != nil || third.Redriven != 5 || strings.Contains(errOut, "Resuming") {
		t.Fatalf("a new run after a finished one: exit %d %+v %s", code, third, errOut)
	}
	for name := range orders {
		if d := waitEnded(t, c, sm, name); aws.ToInt32(d.RedriveCount) != 2 || d.Status != types.ExecutionStatusSucceeded {
			t.Errorf("%s: %s with %d redrives, want SUCCEEDED after 2", name, d.Status, aws.ToInt32(d.RedriveCount))
		}
	}
	if _, err := os.Stat(journal); err != nil {
		t.Error(err)
	}
}

// A bulk run where a redrive failed exits 1 and stays open: running it
// again retries that one and leaves the others, redriven already, alone.
func TestSagaRedriveFailedRedriveIsRetriedAlone(t *testing.T) {
	var deny atomic.Bool
	deny.Store(true)
	url, c, sm := redriveEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Amz-Target") == "AWSStepFunctions.RedriveExecution" && deny.Load() {
				var body struct{ ExecutionArn string }
				data, _ := io.ReadAll(r.Body)
				json.Unmarshal(data, &body)
				if strings.HasSuffix(body.ExecutionArn, ":ord_2") {
					w.Header().Set("Content-Type", "application/x-amz-json-1.0")
					w.WriteHeader(400)
					io.WriteString(w, `{"__type":"AccessDeniedException","message":"not authorized to perform states:RedriveExecution"}`)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(data))
			}
			next.ServeHTTP(w, r)
		})
	})
	orders := map[string]string{"ord_1": "Outage", "ord_2": "Outage", "ord_3": "Outage"}
	startOrders(t, c, sm, orders)
	args := []string{"--output", "json", "saga", "redrive", "--state-machine", "order-saga"}
	code, out, errOut := yafdp(context.Background(), url, args...)
	var first sagaredrive.Result
	if code != 1 || json.Unmarshal([]byte(out), &first) != nil || first.Redriven != 2 || first.Failed != 1 {
		t.Fatalf("first run: exit %d %s %s", code, out, errOut)
	}
	for name := range orders {
		waitEnded(t, c, sm, name)
	}
	deny.Store(false)
	code, out, errOut = yafdp(context.Background(), url, args...)
	var second sagaredrive.Result
	if code != 0 || json.Unmarshal([]byte(out), &second) != nil || second.Redriven != 1 || second.Skipped != 2 || !strings.Contains(errOut, "Resuming") {
		t.Fatalf("second run: exit %d %s %s", code, out, errOut)
	}
	for name := range orders {
		if d := waitEnded(t, c, sm, name); aws.ToInt32(d.RedriveCount) != 1 {
			t.Errorf("%s: %d redrives, want 1", name, aws.ToInt32(d.RedriveCount))
		}
	}
}

// A saga that caught the payment error, compensated and ended in its Fail
// state is not redriven: the redrive would enter the Fail state again.
func TestSagaRedriveSkipsWhatEndedInAFailState(t *testing.T) {
	url, c, _ := redriveEnv(t, nil)
	caught := `{"StartAt":"Pay","States":{
 "Pay":{"Type":"Parallel","Branches":[{"StartAt":"Down","States":{"Down":{"Type":"Fail","Error":"Payment.Unavailable"}}}],
   "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Refund"}],"End":true},
 "Refund":{"Type":"Pass","Next":"OrderFailed"},
 "OrderFailed":{"Type":"Fail","Error":"Payment.Unavailable","Cause":"compensated"}}}`
	m, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("order-saga-caught"),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(caught)})
	if err != nil {
		t.Fatal(err)
	}
	sm := aws.ToString(m.StateMachineArn)
	if _, err := c.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("ord_c")}); err != nil {
		t.Fatal(err)
	}
	// The payment branch fails and the Catch runs the compensation.
	if d := waitEnded(t, c, sm, "ord_c"); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Payment.Unavailable" {
		t.Fatalf("ord_c: %s %s", d.Status, aws.ToString(d.Error))
	}
	for _, dry := range []bool{true, false} {
		args := []string{"--output", "json", "saga", "redrive", "--state-machine", "order-saga-caught", "--error", "Payment.Unavailable"}
		if dry {
			args = append(args, "--dry-run")
		}
		code, out, errOut := yafdp(context.Background(), url, args...)
		var res sagaredrive.Result
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
			t.Fatalf("dry run %v: exit %d %s %s", dry, code, out, errOut)
		}
		if res.Selected != 1 || res.Skipped != 1 || res.Items[0].Outcome != "skipped" || !strings.Contains(res.Items[0].Reason, "ended in its Fail state OrderFailed") {
			t.Errorf("dry run %v: %+v", dry, res)
		}
	}
	if d := waitEnded(t, c, sm, "ord_c"); aws.ToInt32(d.RedriveCount) != 0 {
		t.Errorf("ord_c was redriven %d times", aws.ToInt32(d.RedriveCount))
	}
}
