package cmdutil

import (
	"fmt"
	"strings"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/config"
)

// ExplainAWS words a failed AWS call in err as one line that leads with
// what failed and ends with what to do: the endpoint is down, the
// credentials are missing, expired or lack a permission, no region, the
// calls are throttled, no answer in time. cfg (which may be nil) tells
// where the calls went. It returns false when err is not a failed AWS
// call, or one whose AWS error says it all; the SDK's own text is for
// --debug.
func ExplainAWS(err error, cfg *config.Config) (string, bool) {
	f, ok := awsops.Classify(err)
	if !ok {
		return "", false
	}
	var endpoint, region string
	if cfg != nil {
		endpoint, region = cfg.EndpointURL, cfg.Region
	}
	where := endpoint
	if where == "" && region != "" {
		where = "AWS in " + region
	} else if where == "" {
		where = "AWS"
	}
	call := f.Call()
	var line string
	switch f.Kind {
	case awsops.KindTimeout:
		after := "the time limit"
		if f.After > 0 {
			after = f.After.String()
		}
		line = fmt.Sprintf("%s got no answer from %s within %s; check that the endpoint is up and reachable, or raise --timeout", call, where, after)
	case awsops.KindUnreachable:
		fix := "check --region and the network"
		switch {
		case endpoint != "" && isLoopbackEndpoint(endpoint):
			fix = "start it (yafdp local up) or correct --endpoint-url"
		case endpoint != "":
			fix = "check --endpoint-url and the network"
		}
		line = fmt.Sprintf("cannot reach %s for %s (%s); %s", where, call, f.Detail, fix)
	case awsops.KindNoCredentials:
		line = fmt.Sprintf("no AWS credentials for %s; run 'aws configure' or 'aws sso login' and pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", call)
	case awsops.KindExpiredCredentials:
		line = fmt.Sprintf("the AWS credentials have expired (%s: %s); refresh them (for SSO: aws sso login --profile NAME) and run again", call, f.Code)
	case awsops.KindBadCredentials:
		line = fmt.Sprintf("AWS did not accept the credentials (%s: %s); check --profile and the access key", call, f.AWSError())
	case awsops.KindAccessDenied:
		grant := "the permission it needs"
		if p := f.Permission(); p != "" {
			grant = p
		}
		line = fmt.Sprintf("AWS denied %s (%s); grant %s to the role or user (README: Pointing yafdp at AWS)", call, f.Code, grant)
	case awsops.KindNoRegion:
		line = fmt.Sprintf("no AWS region for %s; pass --region, set AWS_REGION, or give the environment a region in the config file", call)
	case awsops.KindThrottled:
		line = fmt.Sprintf("AWS kept throttling %s (%s) after retrying; lower --rate, try again later, or set AWS_RETRY_MODE=adaptive", call, f.Code)
	default:
		if f.Code == "" {
			line = fmt.Sprintf("%s failed: %s", call, f.Detail)
		} else {
			line = fmt.Sprintf("%s failed: %s", call, f.AWSError())
		}
	}
	if f.Context != "" && !strings.HasPrefix(line, f.Context) {
		line = f.Context + ": " + line
	}
	return oneLine(line), true
}

// oneLine keeps a message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
