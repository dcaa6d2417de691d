package saga

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus/taskcases"
)

// TestTaskCorpusThroughSagaRun runs every Task execution recorded against
// AWS (../shared/conformance-tasks, kind "execution") as a user would:
// the definition, its input and its mock config in files, and
// 'saga run --definition D --input @I --mock-config M --test-case C
// --virtual -o json'. Status, output, error, cause and the event types are
// compared with AWS's.
func TestTaskCorpusThroughSagaRun(t *testing.T) {
	cases, judged := taskcases.Load(t)
	passed := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := judged[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			mock := taskcases.MockOf(t, c)
			dir := t.TempDir()
			def, input, cfg := filepath.Join(dir, mock.Machine+".asl.json"), filepath.Join(dir, "input.json"), filepath.Join(dir, "MockConfigFile.json")
			for file, data := range map[string][]byte{def: c.Definition, input: c.Input, cfg: mock.Raw} {
				if err := os.WriteFile(file, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, _ := runJSON(t, "--definition", def, "--input", "@"+input, "--mock-config", cfg, "--test-case", mock.TestCase, "--virtual")
			res := taskcases.Result{Status: r.Status, Error: r.Error, Cause: r.Cause, Output: r.Output}
			for _, e := range r.Events {
				res.Events = append(res.Events, e["type"].(string))
			}
			taskcases.Check(t, c, res)
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d Task executions pass through saga run (%d judged wrong)", passed, len(cases), len(judged))
}
