package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// isolate keeps the developer's own config file and YAFDP_* variables out of
// a test.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, EnvPrefix) {
			t.Setenv(name, "")
		}
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const sample = `
region: file-region
profile: file-profile
output: json
default_env: prod
environments:
  prod:
    region: prod-region
    queue: https://sqs.example/orders
  local:
    endpoint_url: http://127.0.0.1:4566
`

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		env        map[string]string
		flags      map[string]string
		wantRegion string
		wantSource SourceKind
	}{
		{
			name:       "default",
			wantRegion: "",
			wantSource: FromDefault,
		},
		{
			name:       "file top level",
			file:       "region: file-region\n",
			wantRegion: "file-region",
			wantSource: FromFile,
		},
		{
			name:       "file environment section beats top level",
			file:       sample,
			wantRegion: "prod-region",
			wantSource: FromFile,
		},
		{
			name:       "env beats file",
			file:       sample,
			env:        map[string]string{"YAFDP_REGION": "env-region"},
			wantRegion: "env-region",
			wantSource: FromEnv,
		},
		{
			name:       "flag beats env and file",
			file:       sample,
			env:        map[string]string{"YAFDP_REGION": "env-region"},
			flags:      map[string]string{"region": "flag-region"},
			wantRegion: "flag-region",
			wantSource: FromFlag,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadCase(t, tt.file, tt.flags, tt.env)
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if c.Region != tt.wantRegion {
				t.Errorf("Region = %q, want %q", c.Region, tt.wantRegion)
			}
			if got := c.Source(KeyRegion).Kind; got != tt.wantSource {
				t.Errorf("Source(region) = %q, want %q", got, tt.wantSource)
			}
		})
	}
}

func TestLoadSettingsAndSources(t *testing.T) {
	isolate(t)
	path := writeConfig(t, sample)
	t.Setenv("YAFDP_CONFIG", path)
	t.Setenv("YAFDP_PROFILE", "env-profile")
	c, err := Load(flagged(map[string]string{"no_color": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range c.Settings() {
		got[s.Key] = s.Value + " <- " + s.Source.String()
	}
	want := map[string]string{
		"config":           path + " <- YAFDP_CONFIG",
		"env":              "prod <- " + path + ": default_env",
		"region":           "prod-region <- " + path + ": environments.prod.region",
		"profile":          "env-profile <- YAFDP_PROFILE",
		"endpoint_url":     " <- default",
		"output":           "json <- " + path + ": output",
		"no_color":         "true <- --no-color",
		"queue":            "https://sqs.example/orders <- " + path + ": environments.prod.queue",
		"dlq":              " <- default",
		"state_machine":    " <- default",
		"timeout":          " <- default",
		"api_url":          " <- default",
		"lambda_log_group": " <- default",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings mismatch (-want +got):\n%s", diff)
	}
}

func TestTimeout(t *testing.T) {
	isolate(t)
	c, err := Load(flagged(map[string]string{"timeout": "2s"}))
	if err != nil || c.Timeout != 2*time.Second {
		t.Fatalf("timeout %v, %v", c, err)
	}
	t.Setenv("YAFDP_TIMEOUT", "90s")
	if c, err = Load(Options{}); err != nil || c.Timeout != 90*time.Second {
		t.Fatalf("YAFDP_TIMEOUT: %v, %v", c, err)
	}
	for _, bad := range []string{"soon", "0s", "-1s", "2h"} {
		_, err := Load(flagged(map[string]string{"timeout": bad}))
		var ce *Error
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "invalid timeout") {
			t.Errorf("timeout %q: %v", bad, err)
		}
	}
}

func TestSelectEnvironment(t *testing.T) {
	isolate(t)
	path := writeConfig(t, sample)

	c, err := Load(flagged(map[string]string{"config": path, "env": "local"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "local" || c.EndpointURL != "http://127.0.0.1:4566" || c.Region != "file-region" {
		t.Errorf("env local: got env %q endpoint %q region %q", c.Env, c.EndpointURL, c.Region)
	}

	t.Setenv("YAFDP_ENV", "local")
	c, err = Load(flagged(map[string]string{"config": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "local" || c.Source(KeyEnv).Kind != FromEnv {
		t.Errorf("YAFDP_ENV: got env %q from %v", c.Env, c.Source(KeyEnv))
	}
}

func TestDefaults(t *testing.T) {
	isolate(t)
	c, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "" || c.Env != "" || c.Output != "table" || c.NoColor {
		t.Errorf("defaults = %+v", c)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if got, want := DefaultPath(), filepath.FromSlash("/xdg/yafdp/config.yaml"); got != want {
		t.Errorf("DefaultPath() = %q, want %q", got, want)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/op")
	if got, want := DefaultPath(), filepath.FromSlash("/home/op/.config/yafdp/config.yaml"); got != want {
		t.Errorf("DefaultPath() = %q, want %q", got, want)
	}
}

func TestDefaultFileIsRead(t *testing.T) {
	isolate(t)
	dir := os.Getenv("XDG_CONFIG_HOME")
	if err := os.MkdirAll(filepath.Join(dir, "yafdp"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "yafdp", "config.yaml"), []byte("region: xdg-region\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "xdg-region" || c.Source(KeyConfig).Kind != FromDefault {
		t.Errorf("got region %q, config source %v", c.Region, c.Source(KeyConfig))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		flags map[string]string
		env   map[string]string
		want  []string // substrings of the error
	}{
		{
			name: "unknown top-level key",
			file: "region: x\nregoin: y\n",
			want: []string{`unknown key "regoin"`, "config.yaml"},
		},
		{
			name: "unknown key in an environment",
			file: "environments:\n  prod:\n    quue: x\n",
			want: []string{`unknown key "environments.prod.quue"`},
		},
		{
			name: "several unknown keys",
			file: "a: 1\nb: 2\n",
			want: []string{`unknown keys "a", "b"`},
		},
		{
			name:  "unknown environment lists known ones",
			file:  sample,
			flags: map[string]string{"env": "staging"},
			want:  []string{`unknown environment "staging"`, "--env", "local, prod"},
		},
		{
			name: "default_env names no environment",
			file: "default_env: nope\nenvironments:\n  prod: {}\n",
			want: []string{`unknown environment "nope"`, "default_env", "prod"},
		},
		{
			name:  "unknown environment without environments",
			file:  "region: x\n",
			flags: map[string]string{"env": "prod"},
			want:  []string{`unknown environment "prod"`, "defines no environments"},
		},
		{
			name: "invalid output from env",
			env:  map[string]string{"YAFDP_OUTPUT": "xml"},
			want: []string{`invalid output "xml"`, "YAFDP_OUTPUT", "table, json, jsonl"},
		},
		{
			name: "invalid no_color from env",
			env:  map[string]string{"YAFDP_NO_COLOR": "sometimes"},
			want: []string{`invalid no_color "sometimes"`, "YAFDP_NO_COLOR"},
		},
		{
			name: "invalid endpoint in file",
			file: "endpoint_url: localhost:4566\n",
			want: []string{`invalid endpoint_url "localhost:4566"`, "http://"},
		},
		{
			name: "wrong type",
			file: "environments: [prod]\n",
			want: []string{"config.yaml", "environments"},
		},
		{
			name: "bad yaml",
			file: "region: [\n",
			want: []string{"config.yaml"},
		},
		{
			name:  "missing explicit file",
			flags: map[string]string{"config": "/nonexistent/yafdp.yaml"},
			want:  []string{"/nonexistent/yafdp.yaml", "--config", "does not exist"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadCase(t, tt.file, tt.flags, tt.env)
			if err == nil {
				t.Fatal("Load() succeeded, want an error")
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Errorf("error %T is not a *config.Error", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

// flagged is what the command line passes to Load: the global flags the
// user set, named as typed.
func flagged(flags map[string]string) Options {
	return Options{Flags: flags, FlagName: func(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") }}
}

// loadCase loads the configuration of a table case: a config file's
// content (passed with the config flag), the flags and the environment.
func loadCase(t *testing.T, file string, flags, env map[string]string) (*Config, error) {
	t.Helper()
	isolate(t)
	set := map[string]string{}
	if file != "" {
		set[KeyConfig] = writeConfig(t, file)
	}
	for k, v := range flags {
		set[k] = v
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return Load(flagged(set))
}
