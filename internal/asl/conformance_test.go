package asl

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// conformanceDir finds ../shared/conformance next to the repository (or
// $YAFDP_CONFORMANCE_DIR). The corpus is not part of the repository.
func conformanceDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("YAFDP_CONFORMANCE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the conformance corpus is missing at %s (CI=true): %v", dir, err)
		}
		t.Skipf("the conformance corpus is not at %s; set YAFDP_CONFORMANCE_DIR to run these tests", dir)
	}
	return dir
}

type conformanceCase struct {
	Name       string          `json:"name"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   struct {
		Status        string          `json:"status"`
		Output        json.RawMessage `json:"output"`
		OutputPartial bool            `json:"output_partial"`
		Error         *string         `json:"error"`
		Cause         *string         `json:"cause"`
		Events        []string        `json:"events"`
	} `json:"expected"`
	Masked map[string]any `json:"masked"`
}

// judgedWrong reads the committed list of corpus cases this engine
// deliberately does not match, each with its reason.
func judgedWrong(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(filepath.Join("testdata", "conformance-judged-wrong.txt"))
	if err != nil {
		if os.IsNotExist(err) {
			return out
		}
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, " ")
		out[name] = strings.TrimSpace(reason)
	}
	return out
}

func TestConformanceCorpus(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s: %v", dir, err)
	}
	wrong := judgedWrong(t)
	passed := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c conformanceCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := wrong[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			runConformanceCase(t, &c)
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d corpus cases pass (%d judged wrong)", passed, len(files), len(wrong))
}

func runConformanceCase(t *testing.T, c *conformanceCase) {
	t.Helper()
	m, err := Parse(c.Definition)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	input, err := value.Decode(c.Input)
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	eng := &Engine{Clock: vc, Seed: 1}
	x, err := eng.Start(context.Background(), m, StartOptions{Name: "conformance", Input: input, StateMachineName: "Conformance"})
	if err != nil {
		if c.Expected.Error != nil && *c.Expected.Error == "States.DataLimitExceeded" {
			return
		}
		t.Fatalf("start: %v", err)
	}
	vc.Run()
	status, output, errName, cause := x.Result()
	if string(status) != c.Expected.Status {
		t.Fatalf("status %s (error %q, cause %q), want %s", status, errName, cause, c.Expected.Status)
	}
	if status == StatusSucceeded {
		want, err := value.Decode(c.Expected.Output)
		if err != nil {
			t.Fatal(err)
		}
		if c.Expected.OutputPartial {
			if !subset(want, output) {
				t.Errorf("output %s does not contain %s", value.MustEncodeString(output), value.MustEncodeString(want))
			}
		} else if !value.Equal(want, output) {
			t.Errorf("output\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(want))
		}
	} else {
		wantErr := ""
		if c.Expected.Error != nil {
			wantErr = *c.Expected.Error
		}
		if _, masked := c.Masked["error"]; !masked && errName != wantErr {
			t.Errorf("error %q, want %q", errName, wantErr)
		}
		switch {
		case c.Expected.Cause != nil:
			if cause != *c.Expected.Cause {
				t.Errorf("cause\n got %q\nwant %q", cause, *c.Expected.Cause)
			}
		case c.Masked["cause"] != nil:
			if pattern, ok := c.Masked["cause"].(string); ok && !placeholderMatch(pattern, cause) {
				t.Errorf("cause\n got %q\nwant %q (placeholders match anything)", cause, pattern)
			}
		default:
			if cause != "" {
				t.Errorf("cause %q, want none", cause)
			}
		}
	}
	if c.Expected.Events != nil {
		var got []string
		for _, e := range x.Events() {
			got = append(got, string(e.Type))
		}
		// Exact order, even where the corpus allows branch interleavings to
		// vary: instant branches run one after another, as AWS recorded.
		want := c.Expected.Events
		if !equalStrings(got, want) {
			t.Errorf("events\n got %v\nwant %v", got, want)
		}
	}
}

// subset reports whether want is a recursive object subset of got.
func subset(want, got any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		return value.Equal(want, got)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, wv := range wm {
		gv, ok := gm[k]
		if !ok || !subset(wv, gv) {
			return false
		}
	}
	return true
}

var placeholder = regexp.MustCompile(`<[^<>]+>`)

// placeholderMatch compares a string with a recorded one in which LocalStack
// placeholders such as <json-input:1> stand for anything.
func placeholderMatch(pattern, s string) bool {
	parts := placeholder.Split(pattern, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	re, err := regexp.Compile("^" + strings.Join(parts, "(?s:.*)") + "$")
	return err == nil && re.MatchString(s)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
