package awstest

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Region is the region every test client uses.
const Region = "us-east-1"

// Config returns an AWS configuration for endpoint. rt, when not nil,
// carries the requests (a fault injector, say).
func Config(endpoint string, rt http.RoundTripper) aws.Config {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return aws.Config{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "awstest"}, nil
		}),
		HTTPClient: &http.Client{Transport: rt, Timeout: 2 * time.Minute},
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 20*time.Millisecond)
		},
	}
}

// SQS returns an SQS client for endpoint.
func SQS(endpoint string, rt http.RoundTripper) *sqs.Client {
	return sqs.NewFromConfig(Config(endpoint, rt))
}

// SFN returns a Step Functions client for endpoint.
func SFN(endpoint string, rt http.RoundTripper) *sfn.Client {
	return sfn.NewFromConfig(Config(endpoint, rt))
}

// Logs returns a CloudWatch Logs client for endpoint.
func Logs(endpoint string, rt http.RoundTripper) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(Config(endpoint, rt))
}
