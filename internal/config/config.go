package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"github.com/yafdp/yafdp/internal/input"
)

// Setting keys. They are the names used in the config file; the
// environment variable is YAFDP_ followed by the key in upper case
// (YAFDP_ENDPOINT_URL). The command line names the global flags.
const (
	KeyConfig       = "config"
	KeyEnv          = "env"
	KeyRegion       = "region"
	KeyProfile      = "profile"
	KeyEndpointURL  = "endpoint_url"
	KeyOutput       = "output"
	KeyNoColor      = "no_color"
	KeyTimeout      = "timeout"
	KeyQueue        = "queue"
	KeyDLQ          = "dlq"
	KeyStateMachine = "state_machine"
	// KeyAPIURL is the orders resource of the API Gateway stage (load
	// --via api); KeyLambdaLogGroup the new-order function's log group
	// (load's count of StartExecution throttles).
	KeyAPIURL         = "api_url"
	KeyLambdaLogGroup = "lambda_log_group"
)

// keys lists every setting in the order `config show` prints them.
var keys = []string{
	KeyConfig, KeyEnv, KeyRegion, KeyProfile, KeyEndpointURL, KeyOutput, KeyNoColor, KeyTimeout,
	KeyQueue, KeyDLQ, KeyStateMachine, KeyAPIURL, KeyLambdaLogGroup,
}

// layeredKeys are the settings that viper layers; config and env are
// resolved first because they decide which file and section to read.
var layeredKeys = keys[2:]

// OutputFormats are the values --output accepts.
var OutputFormats = []string{"table", "json", "jsonl"}

// EnvPrefix is the prefix of the environment variables yafdp reads.
const EnvPrefix = "YAFDP_"

// EnvVar returns the environment variable for a setting key.
func EnvVar(key string) string { return EnvPrefix + strings.ToUpper(key) }

// Environment is one named environment from the config file.
type Environment struct {
	Region         string `mapstructure:"region" json:"region,omitempty"`
	Profile        string `mapstructure:"profile" json:"profile,omitempty"`
	EndpointURL    string `mapstructure:"endpoint_url" json:"endpointUrl,omitempty"`
	Queue          string `mapstructure:"queue" json:"queue,omitempty"`
	DLQ            string `mapstructure:"dlq" json:"dlq,omitempty"`
	StateMachine   string `mapstructure:"state_machine" json:"stateMachine,omitempty"`
	APIURL         string `mapstructure:"api_url" json:"apiUrl,omitempty"`
	LambdaLogGroup string `mapstructure:"lambda_log_group" json:"lambdaLogGroup,omitempty"`
}

// file is the schema of the config file.
type file struct {
	Region       string                 `mapstructure:"region"`
	Profile      string                 `mapstructure:"profile"`
	EndpointURL  string                 `mapstructure:"endpoint_url"`
	Output       string                 `mapstructure:"output"`
	NoColor      bool                   `mapstructure:"no_color"`
	Timeout      string                 `mapstructure:"timeout"`
	DefaultEnv   string                 `mapstructure:"default_env"`
	Environments map[string]Environment `mapstructure:"environments"`
}

// Config is the effective configuration of one invocation.
type Config struct {
	// Path is the config file that was read, or "" when there was none.
	Path string
	// Env is the selected environment, or "" when none is selected.
	Env string
	// Environments are the environments the config file defines.
	Environments map[string]Environment

	Region      string
	Profile     string
	EndpointURL string
	Output      string
	NoColor     bool
	// Timeout bounds each AWS call; 0 leaves each operation its default.
	Timeout time.Duration

	// Queue, DLQ and StateMachine come from the selected environment or
	// YAFDP_QUEUE, YAFDP_DLQ and YAFDP_STATE_MACHINE. Commands with their
	// own --queue style flags let those win.
	Queue        string
	DLQ          string
	StateMachine string
	// APIURL and LambdaLogGroup come from the selected environment or
	// YAFDP_API_URL and YAFDP_LAMBDA_LOG_GROUP (load's --api-url and
	// --lambda-log-group win).
	APIURL         string
	LambdaLogGroup string

	sources map[string]Source
}

// EnvNames returns the names of the environments in the config file, sorted.
func (c *Config) EnvNames() []string {
	names := make([]string, 0, len(c.Environments))
	for name := range c.Environments {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Source returns where the effective value of a setting came from.
func (c *Config) Source(key string) Source {
	if s, ok := c.sources[key]; ok {
		return s
	}
	return Source{Kind: FromDefault}
}

// Setting is one effective setting and where it came from.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// Settings returns every setting with its effective value and source, in a
// stable order.
func (c *Config) Settings() []Setting {
	values := map[string]string{
		KeyConfig:         c.Path,
		KeyEnv:            c.Env,
		KeyRegion:         c.Region,
		KeyProfile:        c.Profile,
		KeyEndpointURL:    c.EndpointURL,
		KeyOutput:         c.Output,
		KeyNoColor:        strconv.FormatBool(c.NoColor),
		KeyTimeout:        durationOrEmpty(c.Timeout),
		KeyQueue:          c.Queue,
		KeyDLQ:            c.DLQ,
		KeyStateMachine:   c.StateMachine,
		KeyAPIURL:         c.APIURL,
		KeyLambdaLogGroup: c.LambdaLogGroup,
	}
	out := make([]Setting, 0, len(keys))
	for _, k := range keys {
		out = append(out, Setting{Key: k, Value: values[k], Source: c.Source(k)})
	}
	return out
}

// Options are the inputs to Load that do not come from the environment.
type Options struct {
	// Flags holds the global flags the user set on the command line, by
	// setting key (config, env, region, profile, endpoint_url, output,
	// no_color). Flags that were not set must be absent, so that they do
	// not hide lower layers.
	Flags map[string]string
	// FlagName names the flag of a setting key as the user types it, for
	// sources and messages; nil names a flag by its key.
	FlagName func(key string) string
}

func (o Options) flagName(key string) string {
	if o.FlagName == nil {
		return key
	}
	return o.FlagName(key)
}

// Error is a problem with the configuration: a config file that cannot be
// read or has unknown keys, an unknown environment, an invalid value. It is
// bad input, so the CLI exits with status 2.
type Error struct {
	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

func errorf(format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{msg: err.Error(), err: errors.Unwrap(err)}
}

// DefaultPath returns the default location of the config file:
// $XDG_CONFIG_HOME/yafdp/config.yaml, or ~/.config/yafdp/config.yaml. It
// returns "" when neither XDG_CONFIG_HOME nor the home directory is known.
func DefaultPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "yafdp", "config.yaml")
}

// ResolvePath says which config file a run reads: the config flag, then
// YAFDP_CONFIG, then the default location (which alone may be missing).
func ResolvePath(opts Options) (string, Source) {
	if v, ok := opts.Flags[KeyConfig]; ok {
		return v, Source{Kind: FromFlag, Name: opts.flagName(KeyConfig)}
	}
	if v := os.Getenv(EnvVar(KeyConfig)); v != "" {
		return v, Source{Kind: FromEnv, Name: EnvVar(KeyConfig)}
	}
	return DefaultPath(), Source{Kind: FromDefault}
}

// Load builds the effective configuration. It returns an *Error for every
// problem the user can fix.
func Load(opts Options) (*Config, error) {
	c := &Config{sources: map[string]Source{}}
	v := viper.New()
	v.SetConfigType("yaml")
	fc, err := c.readFile(v, opts)
	if err != nil {
		return nil, err
	}
	c.Environments = fc.Environments
	if c.Environments == nil {
		c.Environments = map[string]Environment{}
	}
	env, err := c.selectEnv(opts, fc)
	if err != nil {
		return nil, err
	}
	envSection := map[string]string{
		KeyRegion:         env.Region,
		KeyProfile:        env.Profile,
		KeyEndpointURL:    env.EndpointURL,
		KeyQueue:          env.Queue,
		KeyDLQ:            env.DLQ,
		KeyStateMachine:   env.StateMachine,
		KeyAPIURL:         env.APIURL,
		KeyLambdaLogGroup: env.LambdaLogGroup,
	}
	// Sources are decided before the environment is merged, so that a value
	// from the environment section can be told from a top-level one.
	c.decideSources(v, opts, envSection)
	if err := c.layer(v, opts.Flags, envSection); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// readFile reads the config file, if there is one, into v and its schema.
func (c *Config) readFile(v *viper.Viper, opts Options) (file, error) {
	var fc file
	path, src := ResolvePath(opts)
	if path == "" {
		return fc, nil
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return fc, errorf("config file %s is a directory", path)
	case err == nil:
		// Read with a limit: --config /dev/zero must fail, not fill memory.
		data, err := input.ReadFile(path, input.LimitConfig)
		if err != nil {
			return fc, errorf("config file %v", err)
		}
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return fc, errorf("config file %s: %s", path, oneLine(err))
		}
		if err := decodeFile(v, path, &fc); err != nil {
			return fc, err
		}
		c.Path = path
		c.sources[KeyConfig] = src
	case errors.Is(err, fs.ErrNotExist) && src.Kind == FromDefault:
		// No config file is a normal state: defaults apply.
	case errors.Is(err, fs.ErrNotExist):
		return fc, errorf("config file %s (from %s) does not exist", path, src.Name)
	default:
		return fc, errorf("config file %s: %w", path, err)
	}
	return fc, nil
}

// selectEnv picks the environment: --env, then YAFDP_ENV, then
// default_env.
func (c *Config) selectEnv(opts Options, fc file) (Environment, error) {
	name, src := envName(opts, fc, c.Path)
	if name == "" {
		return Environment{}, nil
	}
	e, ok := c.Environments[strings.ToLower(name)]
	if !ok {
		return Environment{}, unknownEnvError(name, src, c, opts)
	}
	c.Env = strings.ToLower(name)
	c.sources[KeyEnv] = src
	return e, nil
}

// decideSources records where each layered setting comes from.
func (c *Config) decideSources(v *viper.Viper, opts Options, envSection map[string]string) {
	for _, key := range layeredKeys {
		switch {
		case hasKey(opts.Flags, key):
			c.sources[key] = Source{Kind: FromFlag, Name: opts.flagName(key)}
		case os.Getenv(EnvVar(key)) != "":
			c.sources[key] = Source{Kind: FromEnv, Name: EnvVar(key)}
		case envSection[key] != "":
			c.sources[key] = Source{Kind: FromFile, Name: c.Path, Key: "environments." + c.Env + "." + key}
		case c.Path != "" && v.InConfig(key):
			c.sources[key] = Source{Kind: FromFile, Name: c.Path, Key: key}
		default:
			c.sources[key] = Source{Kind: FromDefault}
		}
	}
}

// layer lets viper layer the values: flags (Set) over environment
// variables (BindEnv) over the file, with the selected environment's
// section merged on top of its top-level values, over defaults.
func (c *Config) layer(v *viper.Viper, flags, envSection map[string]string) error {
	overlay := map[string]any{}
	for k, val := range envSection {
		if val != "" {
			overlay[k] = val
		}
	}
	if err := v.MergeConfigMap(overlay); err != nil {
		return errorf("config file %s: %w", c.Path, err)
	}
	v.SetDefault(KeyOutput, OutputFormats[0])
	v.SetDefault(KeyNoColor, false)
	for _, key := range layeredKeys {
		if err := v.BindEnv(key, EnvVar(key)); err != nil {
			return err
		}
		if val, ok := flags[key]; ok {
			v.Set(key, val)
		}
	}
	c.Region = v.GetString(KeyRegion)
	c.Profile = v.GetString(KeyProfile)
	c.EndpointURL = v.GetString(KeyEndpointURL)
	c.Output = v.GetString(KeyOutput)
	c.Queue = v.GetString(KeyQueue)
	c.DLQ = v.GetString(KeyDLQ)
	c.StateMachine = v.GetString(KeyStateMachine)
	c.APIURL = v.GetString(KeyAPIURL)
	c.LambdaLogGroup = v.GetString(KeyLambdaLogGroup)
	if raw := v.GetString(KeyTimeout); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 || d > time.Hour {
			return errorf("invalid %s %q (from %s): use a duration from 1ms to 1h, such as 30s or 2m", KeyTimeout, raw, c.Source(KeyTimeout))
		}
		c.Timeout = d
	}
	// no_color arrives as a bool from YAML and as a string from flags and
	// environment variables; parse strictly so that "yes" is an error, not
	// silently false.
	switch raw := v.Get(KeyNoColor).(type) {
	case bool:
		c.NoColor = raw
	default:
		b, err := strconv.ParseBool(fmt.Sprint(raw))
		if err != nil {
			return errorf("invalid %s %q (from %s): use true or false", KeyNoColor, fmt.Sprint(raw), c.Source(KeyNoColor))
		}
		c.NoColor = b
	}
	return nil
}

// decodeFile checks the file against the schema and reports every unknown
// key by its full dotted name.
func decodeFile(v *viper.Viper, path string, fc *file) error {
	var md mapstructure.Metadata
	err := v.Unmarshal(fc, func(dc *mapstructure.DecoderConfig) {
		dc.Metadata = &md
		dc.WeaklyTypedInput = false
	})
	if err != nil {
		return errorf("config file %s: %s", path, oneLine(err))
	}
	if len(md.Unused) > 0 {
		unknown := make([]string, len(md.Unused))
		for i, k := range md.Unused {
			unknown[i] = strconv.Quote(dottedKey(k))
		}
		slices.Sort(unknown)
		noun := "key"
		if len(unknown) > 1 {
			noun = "keys"
		}
		return errorf("config file %s: unknown %s %s (known keys: %s; environments.NAME: %s)",
			path, noun, strings.Join(unknown, ", "),
			strings.Join(fileKeys, ", "), strings.Join(envKeys, ", "))
	}
	// Viper drops environments without keys ("local: {}") when it
	// flattens the file, but they exist and can be selected.
	if raw, ok := v.Get("environments").(map[string]any); ok {
		for name := range raw {
			if _, ok := fc.Environments[name]; !ok {
				if fc.Environments == nil {
					fc.Environments = map[string]Environment{}
				}
				fc.Environments[name] = Environment{}
			}
		}
	}
	return nil
}

var (
	fileKeys = []string{KeyRegion, KeyProfile, KeyEndpointURL, KeyOutput, KeyNoColor, KeyTimeout, "default_env", "environments"}
	envKeys  = []string{KeyRegion, KeyProfile, KeyEndpointURL, KeyQueue, KeyDLQ, KeyStateMachine, KeyAPIURL, KeyLambdaLogGroup}
)

// dottedKey turns mapstructure's "environments[prod].quue" into
// "environments.prod.quue".
func dottedKey(k string) string {
	r := strings.NewReplacer("[", ".", "]", "")
	return r.Replace(k)
}

func envName(opts Options, fc file, path string) (string, Source) {
	if v, ok := opts.Flags[KeyEnv]; ok && v != "" {
		return v, Source{Kind: FromFlag, Name: opts.flagName(KeyEnv)}
	}
	if v := os.Getenv(EnvVar(KeyEnv)); v != "" {
		return v, Source{Kind: FromEnv, Name: EnvVar(KeyEnv)}
	}
	if fc.DefaultEnv != "" {
		return fc.DefaultEnv, Source{Kind: FromFile, Name: path, Key: "default_env"}
	}
	return "", Source{Kind: FromDefault}
}

func unknownEnvError(name string, src Source, c *Config, opts Options) error {
	if c.Path == "" {
		return errorf("unknown environment %q (from %s): no config file at %s; create it or set %s", name, src, orNone(DefaultPath()), opts.flagName(KeyConfig))
	}
	known := c.EnvNames()
	if len(known) == 0 {
		return errorf("unknown environment %q (from %s): %s defines no environments", name, src, c.Path)
	}
	return errorf("unknown environment %q (from %s): known environments are %s", name, src, strings.Join(known, ", "))
}

func (c *Config) validate() error {
	if !slices.Contains(OutputFormats, c.Output) {
		return errorf("invalid %s %q (from %s): use one of %s", KeyOutput, c.Output, c.Source(KeyOutput), strings.Join(OutputFormats, ", "))
	}
	if c.Region != "" && !validRegion(c.Region) {
		return errorf("invalid %s %q (from %s): a region is lower-case letters, digits and hyphens, such as eu-west-1", KeyRegion, c.Region, c.Source(KeyRegion))
	}
	if c.EndpointURL != "" {
		u, err := url.Parse(c.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errorf("invalid %s %q (from %s): use an absolute http:// or https:// URL such as http://127.0.0.1:4566",
				KeyEndpointURL, c.EndpointURL, c.Source(KeyEndpointURL))
		}
	}
	return nil
}

// validRegion reports a region name as AWS spells them (us-east-1,
// us-gov-west-1, cn-north-1), or a local emulator's (local): the SDK
// puts it in a host name.
func validRegion(r string) bool {
	if len(r) > 50 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return r[0] != '-' && r[len(r)-1] != '-'
}

func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func orNone(s string) string {
	if s == "" {
		return "(no home directory)"
	}
	return s
}

// oneLine keeps error messages on one line; decoders like to use several.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
