package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every file yafdp reads whole has a limit that fits what it holds, and a
// file past it is one line and exit 2, read no further than the limit: a
// wrong path (/dev/zero, a log file) must not fill memory.
func TestFileInputsHaveLimits(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	big := func(name string, size int) string {
		path := filepath.Join(dir, name)
		// Spaces: a valid start for JSON and YAML alike, so that only
		// the size can be what is wrong.
		if err := os.WriteFile(path, []byte(strings.Repeat(" ", size)+"{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	asl := big("big.asl.json", 1<<20)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"saga validate", []string{"saga", "validate", asl}, "is larger than 1 MiB, the most Step Functions accepts for a state machine definition"},
		{"saga run --definition", []string{"saga", "run", "--definition", asl, "--virtual"}, "is larger than 1 MiB"},
		{"simulate --definition", []string{"simulate", "--definition", asl, "--duration", "1s"}, "is larger than 1 MiB"},
		{"saga run --input", []string{"saga", "run", "--input", "@" + big("input.json", 256<<10)}, "is larger than 256 KiB, the Step Functions payload limit"},
		{"simulate --scenario", []string{"simulate", "--scenario", big("s.yaml", 1<<20)}, "is larger than 1 MiB, the most a scenario file may hold"},
		{"--config", []string{"version", "--config", big("config.yaml", 1<<20)}, "is larger than 1 MiB, the most a config file may hold"},
		{"saga mock-config --definition", []string{"saga", "mock-config", "--definition", asl}, "is larger than 1 MiB"},
		{"saga send-task-success --task-output @", []string{"saga", "send-task-success", "tok", "--task-output", "@" + big("out.json", 256<<10)}, "is larger than 256 KiB, the most Step Functions takes for a task's output"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		type tc = struct {
			name string
			args []string
			want string
		}
		tests = append(tests,
			tc{"saga run --mock-config /dev/zero", []string{"saga", "run", "--mock-config", "/dev/zero", "--virtual"}, "larger than 32 MiB"},
			tc{"local up --mock-config /dev/zero", []string{"local", "up", "--mock-config", "/dev/zero", "--addr", "127.0.0.1:0"}, "larger than 32 MiB"},
			tc{"dlq redrive --journal /dev/zero", []string{"dlq", "redrive", "--queue", "orders-dlq", "--journal", "/dev/zero", "--endpoint-url", "http://127.0.0.1:1"}, "/dev/zero is not a regular file"},
			tc{"saga send-task-failure --cause", []string{"saga", "send-task-failure", "tok", "--cause", strings.Repeat("c", 40000)}, "cause"},
		)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		tests = append(tests,
			struct {
				name string
				args []string
				want string
			}{"simulate --scenario /dev/zero", []string{"simulate", "--scenario", "/dev/zero"}, "/dev/zero is larger than 1 MiB"},
			struct {
				name string
				args []string
				want string
			}{"order submit --file /dev/zero", []string{"order", "submit", "--file", "/dev/zero", "--queue", "orders", "--dry-run"}, "longer than the 1 MiB"},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") > 2 {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}
