package cmdutil

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/config"
)

func TestChangedGlobalFlags(t *testing.T) {
	fs := pflag.NewFlagSet("yafdp", pflag.ContinueOnError)
	fs.String("region", "", "")
	fs.String("endpoint-url", "", "")
	fs.String("profile", "", "")
	fs.Bool("no-color", false, "")
	fs.String("unrelated", "", "")
	if err := fs.Parse([]string{"--region", "eu-west-1", "--endpoint-url=http://127.0.0.1:4566", "--no-color", "--unrelated", "x"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:4566", "no_color": "true"}
	if diff := cmp.Diff(want, changedGlobalFlags(fs)); diff != "" {
		t.Errorf("changedGlobalFlags() mismatch (-want +got):\n%s", diff)
	}
}

// isolateAWS points the AWS SDK at static credentials and empty shared
// config files, so that tests neither read the developer's ~/.aws nor call
// the instance metadata service.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

// TestEndpointURLReachesEveryClient checks that --endpoint-url sends both
// SQS and Step Functions requests to the given server.
func TestEndpointURLReachesEveryClient(t *testing.T) {
	isolateAWS(t)
	var sqsCalls, sfnCalls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		switch {
		case strings.HasPrefix(target, "AmazonSQS."):
			sqsCalls.Add(1)
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			_, _ = io.WriteString(w, `{"QueueUrls":["`+"http://"+r.Host+`/000000000000/orders"]}`)
		case strings.HasPrefix(target, "AWSStepFunctions."):
			sfnCalls.Add(1)
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			_, _ = io.WriteString(w, `{"stateMachines":[]}`)
		default:
			http.Error(w, "unexpected request "+target, http.StatusBadRequest)
		}
	}))
	defer srv.Close()

	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios)
	f.Config = func() (*config.Config, error) {
		return &config.Config{Region: "eu-west-1", EndpointURL: srv.URL, Output: "table"}, nil
	}
	ctx := context.Background()

	sqsClient, err := f.SQSClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sqsClient.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueueUrls) != 1 {
		t.Errorf("QueueUrls = %v", out.QueueUrls)
	}
	sfnClient, err := f.SFNClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sfnClient.ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
		t.Fatal(err)
	}
	if sqsCalls.Load() != 1 || sfnCalls.Load() != 1 {
		t.Errorf("server saw %d SQS and %d Step Functions calls, want 1 each", sqsCalls.Load(), sfnCalls.Load())
	}

	again, _ := f.SQSClient(ctx)
	if again != sqsClient {
		t.Error("SQSClient built a second client")
	}
}

func TestLoadAWSConfigRegionAndProfile(t *testing.T) {
	isolateAWS(t)
	cfgFile := os.Getenv("AWS_CONFIG_FILE")
	if err := os.WriteFile(cfgFile, []byte("[profile ops]\nregion = ap-south-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	c, err := LoadAWSConfig(ctx, &config.Config{Profile: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "ap-south-1" {
		t.Errorf("Region = %q, want the profile's ap-south-1", c.Region)
	}
	c, err = LoadAWSConfig(ctx, &config.Config{Profile: "ops", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.BaseEndpoint != nil {
		t.Errorf("Region = %q, BaseEndpoint = %v", c.Region, c.BaseEndpoint)
	}

	_, err = LoadAWSConfig(ctx, &config.Config{Profile: "nope"})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `AWS profile "nope"`) {
		t.Errorf("unknown profile: error = %v, want a usage error naming the profile", err)
	}
}

// A local endpoint works on a machine with no AWS configuration at all:
// dummy credentials and us-east-1, unless the user configured their own.
func TestLoadAWSConfigLocalEndpointDefaults(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	ctx := context.Background()
	for _, endpoint := range []string{"http://127.0.0.1:4566", "http://localhost:4566", "http://[::1]:4566"} {
		c, err := LoadAWSConfig(ctx, &config.Config{EndpointURL: endpoint})
		if err != nil {
			t.Fatal(err)
		}
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil || creds.AccessKeyID != "test" || c.Region != LocalRegion {
			t.Errorf("%s: credentials %q (%v), region %q; want dummy credentials in %s", endpoint, creds.AccessKeyID, err, c.Region, LocalRegion)
		}
	}

	// What the user set wins.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDMINE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	c, err := LoadAWSConfig(ctx, &config.Config{EndpointURL: "http://127.0.0.1:4566", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if creds, _ := c.Credentials.Retrieve(ctx); creds.AccessKeyID != "AKIDMINE" || c.Region != "eu-west-1" {
		t.Errorf("credentials %q, region %q; want the user's", creds.AccessKeyID, c.Region)
	}

	// A remote endpoint gets no dummy credentials.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	c, err = LoadAWSConfig(ctx, &config.Config{EndpointURL: "https://sqs.eu-west-1.amazonaws.com", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if creds, err := c.Credentials.Retrieve(ctx); err == nil && creds.AccessKeyID == "test" {
		t.Error("a remote endpoint got the dummy local credentials")
	}
}

func TestErrors(t *testing.T) {
	base := errors.New("boom")
	wrapped := FlagErrorWrap(base)
	var ue *UsageError
	if !errors.As(wrapped, &ue) || !ue.ShowHelpHint || !errors.Is(wrapped, base) {
		t.Errorf("FlagErrorWrap(%v) = %#v", base, wrapped)
	}
	if FlagErrorWrap(wrapped) != wrapped {
		t.Error("FlagErrorWrap wrapped a usage error twice")
	}
	if FlagErrorWrap(nil) != nil {
		t.Error("FlagErrorWrap(nil) is not nil")
	}
	if err := UsageErrorf("bad %s", "input"); !errors.As(err, &ue) || ue.ShowHelpHint || err.Error() != "bad input" {
		t.Errorf("UsageErrorf() = %#v", err)
	}
	if got := (&ExitError{Code: 3}).Error(); got != "exit status 3" {
		t.Errorf("ExitError.Error() = %q", got)
	}
}

func TestNounArgs(t *testing.T) {
	root := &cobra.Command{Use: "yafdp"}
	noun := &cobra.Command{Use: "saga", Args: NounArgs, RunE: ShowHelp}
	noun.AddCommand(&cobra.Command{Use: "watch", Run: func(*cobra.Command, []string) {}})
	root.AddCommand(noun)
	if err := NounArgs(noun, nil); err != nil {
		t.Errorf("no args: %v", err)
	}
	err := NounArgs(noun, []string{"wacth"})
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != `unknown command "wacth" for "yafdp saga"; did you mean "watch"?` {
		t.Errorf("NounArgs(wacth) = %v", err)
	}
}

func TestDisableConfig(t *testing.T) {
	parent := &cobra.Command{Use: "p"}
	child := &cobra.Command{Use: "c"}
	parent.AddCommand(child)
	if IsConfigDisabled(child) {
		t.Error("disabled without DisableConfig")
	}
	DisableConfig(parent)
	if !IsConfigDisabled(child) {
		t.Error("child of a disabled command is not disabled")
	}
}

func TestHeredocAndExamples(t *testing.T) {
	got := Heredoc(`
		First line.

		  indented
		Last line.
	`)
	if want := "First line.\n\n  indented\nLast line."; got != want {
		t.Errorf("Heredoc() = %q, want %q", got, want)
	}
	got = Examples(`
		# Say hello
		$ yafdp version
	`)
	if want := "  # Say hello\n  $ yafdp version"; got != want {
		t.Errorf("Examples() = %q, want %q", got, want)
	}
}
