package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
)

// isolate keeps the developer's config file and YAFDP_* variables out of a
// test, and returns the directory where a default config file would live.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("NO_COLOR", "")
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, config.EnvPrefix) {
			t.Setenv(name, "")
		}
	}
	return filepath.Join(dir, "yafdp")
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		interrupted bool
		want        int
	}{
		{"success", nil, false, 0},
		{"plain error", errors.New("SendMessageBatch: AccessDenied"), false, 1},
		{"silent", cmdutil.ErrSilent, false, 1},
		{"wrapped silent", fmt.Errorf("watch: %w", cmdutil.ErrSilent), false, 1},
		{"flag error", cmdutil.FlagErrorf("--rate: bad value"), false, 2},
		{"usage error", cmdutil.UsageErrorf("orders.ndjson line 3: totalCents is missing"), false, 2},
		{"wrapped usage error", fmt.Errorf("submit: %w", cmdutil.UsageErrorf("bad")), false, 2},
		{"config error", loadConfigError(t), false, 2},
		{"cobra required flag", errors.New(`required flag(s) "queue" not set`), false, 2},
		{"cobra flag group", errors.New("if any flags in the group [a b] are set none of the others can be; [a b] were all set"), false, 2},
		{"exit error", &cmdutil.ExitError{Code: 3}, false, 3},
		{"exit error 1 with message", &cmdutil.ExitError{Code: 1, Err: errors.New("saga FAILED")}, false, 1},
		{"interrupted error", cmdutil.ErrInterrupted, false, 130},
		{"context canceled", fmt.Errorf("ReceiveMessage: %w", context.Canceled), false, 130},
		{"interrupted and drained", nil, true, 130},
		{"interrupted wins over failure", errors.New("boom"), true, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err, tt.interrupted); got != tt.want {
				t.Errorf("ExitCode(%v, %v) = %d, want %d", tt.err, tt.interrupted, got, tt.want)
			}
		})
	}
}

func loadConfigError(t *testing.T) error {
	t.Helper()
	isolate(t)
	_, err := config.Load(config.Options{Flags: map[string]string{"config": writeConfig(t, "bogus: 1\n")}})
	if err == nil {
		t.Fatal("want a config error")
	}
	return err
}

func TestPrintError(t *testing.T) {
	cmd := &cobra.Command{Use: "yafdp"}
	sub := &cobra.Command{Use: "watch"}
	cmd.AddCommand(sub)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("execution ord_1 not found"), "yafdp: execution ord_1 not found\n"},
		{"flag error has a hint", cmdutil.FlagErrorf("--rate: want N/s"), "yafdp: --rate: want N/s\nRun 'yafdp watch --help' for usage.\n"},
		{"usage error has no hint", cmdutil.UsageErrorf("orders.ndjson line 3: totalCents is missing"), "yafdp: orders.ndjson line 3: totalCents is missing\n"},
		{"silent", cmdutil.ErrSilent, ""},
		{"exit error without message", &cmdutil.ExitError{Code: 1}, ""},
		{"exit error with message", &cmdutil.ExitError{Code: 3, Err: errors.New("saga TIMED_OUT")}, "yafdp: saga TIMED_OUT\n"},
		{"canceled", context.Canceled, "yafdp: interrupted\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			printError(&buf, "yafdp", sub, tt.err, ExitCode(tt.err, false), nil)
			if buf.String() != tt.want {
				t.Errorf("printError() wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

// run runs the CLI in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code = Run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string   // substring of stdout
		wantErr    []string // exact lines of stderr, when set
		wantErrHas string   // substring of stderr
	}{
		{name: "no arguments shows help", args: nil, wantCode: 0, wantOut: "Pipeline commands:"},
		{name: "help flag", args: []string{"--help"}, wantCode: 0, wantOut: "Usage:"},
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: "Version"},
		{name: "version flag", args: []string{"--version"}, wantCode: 0, wantOut: "yafdp version "},
		{name: "noun without verb shows help", args: []string{"saga"}, wantCode: 0, wantOut: "Usage:"},
		{name: "help topic", args: []string{"help", "exit-codes"}, wantCode: 0, wantOut: "130"},
		{name: "completion bash", args: []string{"completion", "bash"}, wantCode: 0, wantOut: "bash completion"},
		{name: "completion zsh", args: []string{"completion", "zsh"}, wantCode: 0, wantOut: "#compdef yafdp"},
		{name: "completion fish", args: []string{"completion", "fish"}, wantCode: 0, wantOut: "complete -c yafdp"},
		{name: "completion powershell", args: []string{"completion", "powershell"}, wantCode: 0, wantOut: "Register-ArgumentCompleter"},
		{
			name:     "unknown command",
			args:     []string{"bogus"},
			wantCode: 2,
			wantErr:  []string{`yafdp: unknown command "bogus" for "yafdp"`, "Run 'yafdp --help' for usage."},
		},
		{
			name:     "unknown command with suggestion",
			args:     []string{"sag"},
			wantCode: 2,
			wantErr:  []string{`yafdp: unknown command "sag" for "yafdp"; did you mean "saga"?`, "Run 'yafdp --help' for usage."},
		},
		{
			name:     "unknown verb",
			args:     []string{"saga", "bogus"},
			wantCode: 2,
			wantErr:  []string{`yafdp: unknown command "bogus" for "yafdp saga"`, "Run 'yafdp saga --help' for usage."},
		},
		{
			name:     "unknown flag",
			args:     []string{"version", "--bogus"},
			wantCode: 2,
			wantErr:  []string{"yafdp: unknown flag: --bogus", "Run 'yafdp version --help' for usage."},
		},
		{
			name:     "bad output value",
			args:     []string{"version", "--output", "xml"},
			wantCode: 2,
			wantErr:  []string{`yafdp: invalid argument "xml" for "-o, --output" flag: must be one of table, json, jsonl`, "Run 'yafdp version --help' for usage."},
		},
		{
			name:     "extra argument",
			args:     []string{"version", "now"},
			wantCode: 2,
			wantErr:  []string{`yafdp: unknown command "now" for "yafdp version"`, "Run 'yafdp version --help' for usage."},
		},
		{
			name:       "missing shell",
			args:       []string{"completion"},
			wantCode:   2,
			wantErrHas: "name one shell: bash, zsh, fish, powershell",
		},
		{
			name:     "unknown help topic",
			args:     []string{"help", "bogus"},
			wantCode: 2,
			wantErr:  []string{`yafdp: unknown help topic "bogus"; run 'yafdp help' for the list`},
		},
		{
			name:       "unknown environment",
			args:       []string{"version", "--env", "prod"},
			wantCode:   2,
			wantErrHas: `yafdp: unknown environment "prod" (from --env)`,
		},
		{
			name:     "bad endpoint url",
			args:     []string{"version", "--endpoint-url", "localhost:4566"},
			wantCode: 2,
			wantErr:  []string{`yafdp: invalid endpoint_url "localhost:4566" (from --endpoint-url): use an absolute http:// or https:// URL such as http://127.0.0.1:4566`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", stdout, tt.wantOut)
			}
			if tt.wantErr != nil {
				if got := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n"); !slices.Equal(got, tt.wantErr) {
					t.Errorf("stderr lines = %q, want %q", got, tt.wantErr)
				}
			}
			if !strings.Contains(stderr, tt.wantErrHas) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantErrHas)
			}
			if tt.wantCode == 2 && stdout != "" {
				t.Errorf("usage error printed to stdout: %q", stdout)
			}
		})
	}
}

func TestRunConfigFile(t *testing.T) {
	isolate(t)
	bad := writeConfig(t, "region: eu-west-1\nenvironments:\n  prod:\n    quue: orders\n")
	code, _, stderr := run(t, "version", "--config", bad)
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if want := `unknown key "environments.prod.quue"`; !strings.Contains(stderr, want) || !strings.Contains(stderr, bad) {
		t.Errorf("stderr %q does not name the key and the file", stderr)
	}

	good := writeConfig(t, "output: json\nenvironments:\n  prod: {}\n  local: {}\n")
	code, stdout, _ := run(t, "version", "--config", good)
	if code != 0 || !strings.HasPrefix(stdout, "{\n") {
		t.Errorf("output from config file: code %d, stdout %q", code, stdout)
	}
	code, stdout, _ = run(t, "version", "--config", good, "--output", "jsonl")
	if code != 0 || strings.Count(stdout, "\n") != 1 {
		t.Errorf("flag over config file: code %d, stdout %q", code, stdout)
	}
	code, _, stderr = run(t, "version", "--config", good, "--env", "staging")
	if code != 2 || !strings.Contains(stderr, "known environments are local, prod") {
		t.Errorf("unknown env: code %d, stderr %q", code, stderr)
	}
}

func TestRunBadConfigDoesNotBreakCompletionOrHelp(t *testing.T) {
	isolate(t)
	t.Setenv("YAFDP_CONFIG", writeConfig(t, "bogus: 1\n"))
	for _, args := range [][]string{{"completion", "bash"}, {"help", "exit-codes"}, {"--help"}} {
		if code, _, stderr := run(t, args...); code != 0 {
			t.Errorf("%v: exit code %d, stderr %q", args, code, stderr)
		}
	}
	if code, _, _ := run(t, "version"); code != 2 {
		t.Errorf("version with a bad config: exit code %d, want 2", code)
	}
}

func TestRunColour(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantColor bool
	}{
		{name: "terminal", args: []string{"version"}, wantColor: true},
		{name: "--no-color", args: []string{"version", "--no-color"}},
		{name: "NO_COLOR", args: []string{"version"}, env: map[string]string{"NO_COLOR": "1"}},
		{name: "YAFDP_NO_COLOR", args: []string{"version"}, env: map[string]string{"YAFDP_NO_COLOR": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(true)
			ios.SetNoColorEnv(os.Getenv("NO_COLOR") != "")
			if code := Run(context.Background(), tt.args, ios); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tt.wantColor {
				t.Errorf("coloured = %v, want %v; stdout %q", got, tt.wantColor, out.String())
			}
		})
	}
}

func TestRunCancelledContextExits130(t *testing.T) {
	isolate(t)
	ios, _, _, _ := iostreams.Test()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Run(ctx, []string{"version"}, ios); code != 130 {
		t.Errorf("exit code = %d, want 130", code)
	}
}

func TestOutputFormatsAgree(t *testing.T) {
	if !slices.Equal(config.OutputFormats, output.FormatNames()) {
		t.Errorf("config.OutputFormats = %v, output.FormatNames() = %v", config.OutputFormats, output.FormatNames())
	}
}

// TestHelpTextConventions checks every command, including the ones added
// later, against CONVENTIONS.md: a one-line summary without a final period,
// examples that use long flag names, and a Long text without stray indents.
func TestHelpTextConventions(t *testing.T) {
	isolate(t)
	ios, _, _, _ := iostreams.Test()
	root := NewCmdRoot(cmdutil.NewFactory(ios))
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		name := c.CommandPath()
		switch {
		case c.Short == "":
			t.Errorf("%s: no Short", name)
		case strings.HasSuffix(c.Short, "."):
			t.Errorf("%s: Short %q ends with a period", name, c.Short)
		case strings.Contains(c.Short, "\n"):
			t.Errorf("%s: Short is not one line", name)
		case strings.ToUpper(c.Short[:1]) != c.Short[:1]:
			t.Errorf("%s: Short %q does not start with a capital", name, c.Short)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "$ yafdp") {
				continue
			}
			for _, word := range strings.Fields(line) {
				if len(word) == 2 && word[0] == '-' && word[1] != '-' {
					t.Errorf("%s: example %q uses short flag %s", name, line, word)
				}
			}
		}
		// A Long written as an indented heredoc is dedented as a whole:
		// one line written flush left leaves every other line indented.
		for _, line := range strings.Split(c.Long, "\n") {
			if strings.HasPrefix(line, "\t") {
				t.Errorf("%s: Long has a line indented with a tab: %q", name, line)
				break
			}
		}
		if c.Runnable() && c.Example == "" && c.Name() != "help" {
			t.Errorf("%s: no Example", name)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
