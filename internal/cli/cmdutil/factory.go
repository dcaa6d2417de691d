package cmdutil

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
)

// Factory hands commands their dependencies. Each one is a function that
// builds the dependency on first use and returns the same value after that,
// so that a command pays only for what it uses; a test replaces any field
// with a stub.
//
// A command copies the functions it needs into its Options in NewCmdX and
// calls them in its run function, as GitHub CLI does.
type Factory struct {
	// AppName is the name of the executable, used in messages.
	AppName string

	IOStreams *iostreams.IOStreams

	// GlobalFlags are the root command's persistent flags; the default
	// Config reads the ones the user set. Root sets it.
	GlobalFlags *pflag.FlagSet

	// Config returns the effective configuration, loaded once.
	Config func() (*config.Config, error)

	// ConfigPath says which config file Config reads and why, without
	// reading it (for `config init` and `config path`).
	ConfigPath func() (string, config.Source)

	// Printer returns the printer for the --output format.
	Printer func() (*output.Printer, error)

	// AWSConfig returns the AWS SDK configuration for the selected profile,
	// region and endpoint, loaded once.
	AWSConfig func(ctx context.Context) (aws.Config, error)

	// SQSClient returns the SQS client, built once from AWSConfig.
	SQSClient func(ctx context.Context) (*sqs.Client, error)

	// SFNClient returns the Step Functions client, built once from
	// AWSConfig.
	SFNClient func(ctx context.Context) (*sfn.Client, error)
}

// NewFactory returns a Factory with the real dependencies for ios.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	f := &Factory{AppName: "yafdp", IOStreams: ios}

	f.Config = sync.OnceValues(func() (*config.Config, error) {
		return config.Load(configOptions(f.GlobalFlags))
	})

	f.ConfigPath = func() (string, config.Source) {
		return config.ResolvePath(configOptions(f.GlobalFlags))
	}

	f.Printer = func() (*output.Printer, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		format, err := output.ParseFormat(cfg.Output)
		if err != nil {
			return nil, UsageErrorf("invalid output %q: %v", cfg.Output, err)
		}
		return output.New(f.IOStreams, format), nil
	}

	f.AWSConfig = lazy(func(ctx context.Context) (aws.Config, error) {
		cfg, err := f.Config()
		if err != nil {
			return aws.Config{}, err
		}
		var extra []func(*awsconfig.LoadOptions) error
		if !f.Debug() {
			// The SDK logs warnings (IMDS fall-backs, retries) on standard
			// error; they are for --debug.
			extra = append(extra, awsconfig.WithLogger(logging.Nop{}))
		}
		return LoadAWSConfig(ctx, cfg, extra...)
	})
	f.SQSClient = client(f, sqs.NewFromConfig)
	f.SFNClient = client(f, sfn.NewFromConfig)
	return f
}

// lazy returns build's value, built on the first call that succeeds and
// kept after that.
func lazy[T any](build func(context.Context) (T, error)) func(context.Context) (T, error) {
	var (
		mu    sync.Mutex
		value T
		built bool
	)
	return func(ctx context.Context) (T, error) {
		mu.Lock()
		defer mu.Unlock()
		if built {
			return value, nil
		}
		v, err := build(ctx)
		if err != nil {
			return v, err
		}
		value, built = v, true
		return value, nil
	}
}

// client returns an AWS service client built once from the Factory's AWS
// configuration with newFromConfig (sqs.NewFromConfig, sfn.NewFromConfig).
func client[C, O any](f *Factory, newFromConfig func(aws.Config, ...func(*O)) *C) func(context.Context) (*C, error) {
	return lazy(func(ctx context.Context) (*C, error) {
		c, err := f.AWSConfig(ctx)
		if err != nil {
			return nil, err
		}
		return newFromConfig(c), nil
	})
}

// globalFlagKeys maps the root's persistent flags to config keys.
var globalFlagKeys = map[string]string{
	"config":       config.KeyConfig,
	"env":          config.KeyEnv,
	"profile":      config.KeyProfile,
	"region":       config.KeyRegion,
	"endpoint-url": config.KeyEndpointURL,
	"output":       config.KeyOutput,
	"no-color":     config.KeyNoColor,
	"timeout":      config.KeyTimeout,
}

// configOptions tells config.Load which global flags the user set and how
// they are named.
func configOptions(fs *pflag.FlagSet) config.Options {
	return config.Options{Flags: changedGlobalFlags(fs), FlagName: globalFlagOf}
}

// globalFlagOf names the global flag of a setting key, or "".
func globalFlagOf(key string) string {
	for flag, k := range globalFlagKeys {
		if k == key {
			return "--" + flag
		}
	}
	return ""
}

// changedGlobalFlags returns the global flags the user set, by config key.
func changedGlobalFlags(fs *pflag.FlagSet) map[string]string {
	set := map[string]string{}
	if fs == nil {
		return set
	}
	// VisitAll and Changed rather than Visit: cobra copies persistent flags
	// into each subcommand's flag set, which records them as set there.
	fs.VisitAll(func(fl *pflag.Flag) {
		if key, ok := globalFlagKeys[fl.Name]; ok && fl.Changed {
			set[key] = fl.Value.String()
		}
	})
	return set
}

// LoadAWSConfig loads the AWS SDK configuration the usual way (environment,
// shared config files, IMDS) with the profile, region and endpoint from cfg
// on top. The endpoint URL becomes BaseEndpoint, which every service client
// built from the configuration uses, so one flag points SQS and Step
// Functions at `yafdp local up` or another emulator.
func LoadAWSConfig(ctx context.Context, cfg *config.Config, extra ...func(*awsconfig.LoadOptions) error) (aws.Config, error) {
	opts := append([]func(*awsconfig.LoadOptions) error(nil), extra...)
	if cfg.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.EndpointURL != "" {
		opts = append(opts, awsconfig.WithBaseEndpoint(cfg.EndpointURL))
	}
	if local := isLoopbackEndpoint(cfg.EndpointURL); local {
		// yafdp local up, moto and LocalStack take any credentials and any
		// region; a new user on a fresh machine has neither, and the SDK
		// would otherwise end up asking EC2 instance metadata. A profile or
		// credentials the user chose still win.
		if cfg.Region == "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, awsconfig.WithRegion(LocalRegion))
		}
		if cfg.Profile == "" && os.Getenv("AWS_PROFILE") == "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
		}
	}
	// Every call is bounded: an endpoint that accepts the connection and
	// never answers must not hang a command.
	opts = append(opts, awsconfig.WithAPIOptions([]func(*middleware.Stack) error{awsops.WithTimeout(cfg.Timeout)}))
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var notExist awsconfig.SharedConfigProfileNotExistError
		if errors.As(err, &notExist) {
			where := "the shared AWS config files"
			if len(notExist.Filename) > 0 {
				where = strings.Join(notExist.Filename, " or ")
			}
			return aws.Config{}, UsageErrorf("AWS profile %q (from %s) is not in %s; set --profile to a configured profile",
				cfg.Profile, cfg.Source(config.KeyProfile), where)
		}
		return aws.Config{}, err
	}
	return c, nil
}

// Debug reports --debug or YAFDP_DEBUG: show the SDK's own errors and
// warnings.
func (f *Factory) Debug() bool {
	if f.GlobalFlags != nil {
		if on, _ := f.GlobalFlags.GetBool("debug"); on {
			return true
		}
	}
	on, _ := strconv.ParseBool(os.Getenv("YAFDP_DEBUG"))
	return on
}

// LocalRegion is the region yafdp assumes for a local endpoint when none is
// configured; `yafdp local up` creates its resources there.
const LocalRegion = "us-east-1"

// isLoopbackEndpoint reports whether endpoint is a URL on this machine
// (localhost or a loopback address).
func isLoopbackEndpoint(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
