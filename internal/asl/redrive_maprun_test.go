package asl

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// flaky answers a Task with {"n": 10×n} for its input n (or, for a batch,
// for each of its items), failing the first call for each input it names.
type flaky struct {
	mu    sync.Mutex
	fail  map[string]bool
	calls map[string]int
}

func (f *flaky) Invoke(_ context.Context, req *TaskRequest, done func(any, error)) {
	key := value.MustEncodeString(req.Input)
	f.mu.Lock()
	f.calls[key]++
	first := f.calls[key] == 1
	f.mu.Unlock()
	if first && f.fail[key] {
		done(nil, fail("Boom", "item "+key).err)
		return
	}
	done(times10(req.Input), nil)
}

func times10(in any) any {
	if obj, ok := in.(map[string]any); ok {
		var out []any
		for _, it := range obj["Items"].([]any) {
			out = append(out, times10(it))
		}
		return out
	}
	n, _ := value.Float(in)
	return map[string]any{"n": value.IntNumber(int64(n * 10))}
}

func TestRedriveOfAFailedDistributedMapRedrivesItsMapRun(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		fail        []string
		calls       int  // task calls in a clean run
		express     bool // children run as Express executions
	}{
		{"items", `"MaxConcurrency":2,"ToleratedFailureCount":1`, []string{"2", "4", "5"}, 8, false},
		{"batches", `"MaxConcurrency":1,"ToleratedFailureCount":1,"ItemBatcher":{"MaxItemsPerBatch":3}`,
			[]string{`{"Items":[4,5,6]}`}, 3, false},
		{"result writer", `"MaxConcurrency":2,"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"p"}}`,
			[]string{"3"}, 8, false},
		{"express children", `"MaxConcurrency":2,"ToleratedFailureCount":1`, []string{"2", "4"}, 8, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := distDoc("", tc.extra)
			if tc.express {
				doc = strings.Replace(doc, `"ExecutionType":"STANDARD"`, `"ExecutionType":"EXPRESS"`, 1)
			}
			input := `[1,2,3,4,5,6,7,8]`
			// The clean run: no failures.
			clean := &flaky{fail: map[string]bool{}, calls: map[string]int{}}
			cx := runDist(t, objectDir(t, nil), doc, input, clean)
			wantResult(t, cx, StatusSucceeded, "")

			h := &flaky{fail: map[string]bool{}, calls: map[string]int{}}
			for _, k := range tc.fail {
				h.fail[k] = true
			}
			store := objectDir(t, nil)
			eng := &Engine{Objects: store}
			x, vc := runOn(t, eng, doc, mustJSON(t, input), h)
			if st, _, errName, _ := x.Result(); st != StatusFailed || !strings.HasPrefix(errName, "States.") {
				t.Fatalf("first run %s %s; events %s", st, errName, eventTypes(x))
			}
			run := x.MapRuns()[0]
			if in := run.Describe(); in.Status != MapRunFailed || in.Items.Running != 0 || in.Executions.Running != 0 ||
				in.Items.Succeeded+in.Items.Failed+in.Items.Aborted+in.Items.Pending != in.Items.Total || in.Items.Total != 8 {
				t.Errorf("describe after the first run %+v", in)
			}
			first := map[string]int{}
			for k, n := range h.calls {
				first[k] = n
			}
			failedBefore := map[string]bool{}
			for _, c := range run.Children() {
				if c.Status() != StatusSucceeded {
					failedBefore[value.MustEncodeString(c.Input())] = true
				}
			}
			if len(failedBefore) == 0 {
				t.Fatal("no child failed")
			}
			before := len(x.Events())
			m, _ := Parse([]byte(doc))
			y, err := eng.Redrive(context.Background(), m, RedriveOptions{Name: x.Name, Events: x.Events(), MapRuns: x.MapRuns()})
			if err != nil {
				t.Fatal(err)
			}
			vc.Run()
			if !y.Done() {
				t.Fatalf("redrive did not end: %s", y.Status())
			}
			wantResult(t, y, StatusSucceeded, "")
			// Only the children that did not succeed ran again.
			total := 0
			for k, n := range h.calls {
				total += n
				again := n - first[k]
				switch {
				case failedBefore[k] && first[k] > 0 && again != 1:
					t.Errorf("input %s ran %d times in the redrive, want 1", k, again)
				case !failedBefore[k] && first[k] > 0 && again != 0:
					t.Errorf("input %s succeeded before and ran %d times in the redrive", k, again)
				}
			}
			if want := tc.calls + len(tc.fail); total != want {
				t.Errorf("%d task calls in all, want %d (a clean run's %d and the %d that failed)", total, want, tc.calls, len(tc.fail))
			}
			// The output is a clean run's, but for the Map Run's ARN.
			_, got, _, _ := y.Result()
			_, want, _, _ := cx.Result()
			gotS := strings.ReplaceAll(value.MustEncodeString(got), run.ARN(), "ARN")
			wantS := strings.ReplaceAll(value.MustEncodeString(want), cx.MapRuns()[0].ARN(), "ARN")
			id := func(r *MapRun) string { return r.ARN()[strings.LastIndexByte(r.ARN(), ':')+1:] }
			gotS = strings.ReplaceAll(gotS, id(run), "ID")
			wantS = strings.ReplaceAll(wantS, id(cx.MapRuns()[0]), "ID")
			if gotS != wantS {
				t.Errorf("output\n got %s\nwant %s", gotS, wantS)
			}
			if strings.Contains(tc.extra, "ResultWriter") {
				body, err := store.GetObject(context.Background(), "out", "p/"+id(run)+"/SUCCEEDED_0.json")
				if err != nil {
					t.Fatal(err)
				}
				recs := mustJSON(t, string(body)).([]any)
				for i, r := range recs {
					want := value.MustEncodeString(times10(mustJSON(t, string(rune('1'+i)))))
					if out := r.(map[string]any)["Output"]; out != want {
						t.Errorf("SUCCEEDED record %d output %v, want %s", i, out, want)
					}
				}
				if len(recs) != 8 {
					t.Errorf("%d SUCCEEDED records, want 8", len(recs))
				}
				manifest, _ := store.GetObject(context.Background(), "out", "p/"+id(run)+"/manifest.json")
				files := mustJSON(t, string(manifest)).(map[string]any)["ResultFiles"].(map[string]any)
				if len(files["FAILED"].([]any)) != 0 {
					t.Errorf("manifest after the redrive %s", manifest)
				}
			}
			// The same Map Run, redriven once; MapRunRedriven in place of
			// MapRunStarted.
			if runs := y.MapRuns(); len(runs) != 1 || runs[0] != run {
				t.Fatalf("map runs after the redrive %v, want the one of the first run", runs)
			}
			info := run.Describe()
			nItems, nExecs := int64(8), int64(len(run.Children()))
			if info.Status != MapRunSucceeded || info.RedriveCount != 1 || !info.RedriveDate.Equal(y.RedriveDate()) ||
				info.Items.Succeeded != nItems || info.Items.Total != nItems || info.Items.Failed != 0 || info.Items.Aborted != 0 || info.Items.Pending != 0 || info.Items.PendingRedrive != 0 || info.Items.Running != 0 ||
				info.Executions.Succeeded != nExecs || info.Executions.Total != nExecs || info.Executions.Failed != 0 || info.Executions.Aborted != 0 || info.Executions.Pending != 0 || info.Executions.PendingRedrive != 0 {
				t.Errorf("describe after the redrive %+v", info)
			}
			evs := y.Events()[before:]
			var types []string
			for _, e := range evs {
				types = append(types, string(e.Type))
			}
			if got, want := strings.Join(types, " "), "ExecutionRedriven MapStateEntered MapStateStarted MapRunRedriven MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded"; got != want {
				t.Errorf("events after the redrive\n got %s\nwant %s", got, want)
			}
			if d := evs[3].SFN().MapRunRedrivenEventDetails; d == nil || *d.MapRunArn != run.ARN() || *d.RedriveCount != 1 {
				t.Errorf("MapRunRedriven details %+v", d)
			}
			if back := FromSFN(evs[3].SFN()); back.Resource != run.ARN() || back.RedriveCount != 1 {
				t.Errorf("MapRunRedriven read back %+v", back)
			}
			// A Standard child that failed is redriven: same name, redrive
			// count 1; an Express one starts again under its name.
			wantCount := 1
			if tc.express {
				wantCount = 0
			}
			for _, c := range run.Children() {
				k := value.MustEncodeString(c.Input())
				if failedBefore[k] && first[k] > 0 && c.RedriveCount() != wantCount {
					t.Errorf("child %s for %s has redrive count %d, want %d", c.Name, k, c.RedriveCount(), wantCount)
				}
			}
		})
	}
}

func TestRedriveOfADistributedMapWithoutItsMapRunRunsItWhole(t *testing.T) {
	doc := distDoc("", `"MaxConcurrency":1`)
	h := &flaky{fail: map[string]bool{"2": true}, calls: map[string]int{}}
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `[1,2,3]`), h)
	wantDistFailure(t, x, "States.ExceedToleratedFailureThreshold", toleranceExceededCause)
	m, _ := Parse([]byte(doc))
	// As for an execution restored from a store: no Map Runs known.
	y, err := eng.Redrive(context.Background(), m, RedriveOptions{Name: x.Name, Events: x.Events()})
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantResult(t, y, StatusSucceeded, `[{"n":10},{"n":20},{"n":30}]`)
	if h.calls["1"] != 2 || h.calls["2"] != 2 {
		t.Errorf("calls %v: the whole Map Run runs again", h.calls)
	}
	if got := eventTypes(y); !strings.HasSuffix(got, "ExecutionRedriven MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded") {
		t.Errorf("events %s", got)
	}
	if runs := y.MapRuns(); len(runs) != 1 || runs[0] == x.MapRuns()[0] {
		t.Errorf("map runs %v: want one new", runs)
	}
}
