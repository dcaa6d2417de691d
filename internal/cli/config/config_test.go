package config_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cli.Run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func TestInitPathShow(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	for _, k := range []string{"YAFDP_CONFIG", "YAFDP_ENV", "YAFDP_REGION", "YAFDP_OUTPUT"} {
		t.Setenv(k, "")
	}
	want := filepath.Join(dir, "yafdp", "config.yaml")
	code, out, errOut := run(t, "config", "path")
	if code != 0 || strings.TrimSpace(out) != want || !strings.Contains(errOut, "does not exist yet") {
		t.Fatalf("path: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = run(t, "config", "init"); code != 0 || !strings.Contains(errOut, "wrote "+want) {
		t.Fatalf("init: %d %q", code, errOut)
	}
	// A second init leaves the file alone: exit 2, nothing changed.
	os.WriteFile(want, []byte("output: json\n"), 0o644)
	if code, _, errOut = run(t, "config", "init"); code != 2 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second init: %d %q", code, errOut)
	}
	if b, _ := os.ReadFile(want); string(b) != "output: json\n" {
		t.Fatal("init without --force changed the file")
	}
	if code, _, _ = run(t, "config", "init", "--force"); code != 0 {
		t.Fatalf("init --force: %d", code)
	}

	// Precedence: flag > YAFDP_* > the environment's section > top level > default.
	t.Setenv("YAFDP_REGION", "ap-south-1")
	code, out, _ = run(t, "--env", "staging", "--profile", "cli-profile", "--output", "json", "config", "show")
	if code != 0 {
		t.Fatalf("show: %d", code)
	}
	var settings []struct{ Key, Value, Source, From string }
	if err := json.Unmarshal([]byte(out), &settings); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, s := range settings {
		got[s.Key] = [2]string{s.Value, s.Source}
	}
	for key, want := range map[string][2]string{
		"env":           {"staging", "flag"},
		"profile":       {"cli-profile", "flag"},
		"region":        {"ap-south-1", "env"},
		"queue":         {"orders", "file"},
		"state_machine": {"yafdp-order-saga", "file"},
		"output":        {"json", "flag"},
		"no_color":      {"false", "file"},
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
}

func TestInitWorksOverABrokenConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("outptu: json\n"), 0o644)
	if code, _, errOut := run(t, "--config", path, "config", "show"); code != 2 || !strings.Contains(errOut, `unknown key "outptu"`) {
		t.Fatalf("show over a broken file: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "--config", path, "config", "init", "--force"); code != 0 {
		t.Fatalf("init --force over a broken file: %d %q", code, errOut)
	}
}

// The table and JSON of `config show`, on a file from `config init` with an
// environment selected and one setting from the environment.
func TestShowGolden(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	for _, k := range []string{"YAFDP_CONFIG", "YAFDP_ENV", "YAFDP_REGION", "YAFDP_OUTPUT", "YAFDP_PROFILE", "YAFDP_ENDPOINT_URL", "YAFDP_NO_COLOR"} {
		t.Setenv(k, "")
	}
	// A relative --config keeps the paths in the output, and so the
	// table's column widths, the same on every machine.
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if code, _, errOut := run(t, "--config", "yafdp.yaml", "config", "init"); code != 0 {
		t.Fatalf("init: %d %s", code, errOut)
	}
	t.Setenv("YAFDP_REGION", "eu-central-1")
	for _, format := range []string{"table", "json"} {
		code, out, errOut := run(t, "--config", "yafdp.yaml", "--env", "local", "--output", format, "config", "show")
		if code != 0 {
			t.Fatalf("show: %d %s", code, errOut)
		}
		clitest.Golden(t, filepath.Join(testdata, "show."+format+".golden"), []byte(out))
	}
}
