package asl

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// distDoc is a Distributed Map over an ItemReader (reader, a JSON object
// of the ItemReader), whose children run a Task under fnARN; extra adds
// fields to the Map state.
func distDoc(reader, extra string) string {
	if reader != "" {
		reader = `"ItemReader":` + reader + `,`
	}
	if extra != "" {
		extra += ","
	}
	return `{"StartAt":"Fan","States":{"Fan":{"Type":"Map",` + reader + extra + `
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
	  "StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
	 "End":true}}}`
}

const jsonReader = `{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket.$":"$.Bucket","Key.$":"$.Key"}}`

// objectDir makes a DirStore holding bucket/key = body for each pair.
func objectDir(t *testing.T, files map[string]string) DirStore {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return DirStore{Dir: dir}
}

func runDist(t *testing.T, store ObjectStore, doc string, input string, h TaskHandler) *Execution {
	t.Helper()
	x, _ := runOn(t, &Engine{Objects: store}, doc, mustJSON(t, input), h)
	return x
}

func wantResult(t *testing.T, x *Execution, status Status, output string) {
	t.Helper()
	st, out, errName, cause := x.Result()
	if st != status {
		t.Fatalf("status %s (%s: %s), want %s; events %s", st, errName, cause, status, eventTypes(x))
	}
	if output != "" {
		if got := value.MustEncodeString(out); got != output {
			t.Errorf("output\n got %s\nwant %s", got, output)
		}
	}
}

func wantDistFailure(t *testing.T, x *Execution, name, causePart string) {
	t.Helper()
	st, _, errName, cause := x.Result()
	if st != StatusFailed || errName != name || !strings.Contains(cause, causePart) {
		t.Fatalf("got %s %s %q, want FAILED %s with cause containing %q; events %s", st, errName, cause, name, causePart, eventTypes(x))
	}
}

func TestDistributedMapReadsJSONObjectAndRecordsMapRunEvents(t *testing.T) {
	store := objectDir(t, map[string]string{"b/in/items.json": `[{"n":1},{"n":2},{"n":3}]`})
	x := runDist(t, store, distDoc(jsonReader, ""), `{"Bucket":"b","Key":"in/items.json"}`, &script{})
	wantResult(t, x, StatusSucceeded, `[{"n":1},{"n":2},{"n":3}]`)
	want := "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded"
	if got := eventTypes(x); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	ev := x.Events()
	if ev[2].Length != 0 {
		t.Errorf("MapStateStarted length %d, want 0 with an ItemReader", ev[2].Length)
	}
	if ev[6].PreviousEventID != ev[4].ID {
		t.Errorf("MapStateExited follows event %d, want MapRunSucceeded (%d)", ev[6].PreviousEventID, ev[4].ID)
	}
	runs := x.MapRuns()
	if len(runs) != 1 {
		t.Fatalf("%d map runs, want 1", len(runs))
	}
	run := runs[0]
	if !strings.HasPrefix(run.ARN(), "arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/") || ev[3].Resource != run.ARN() {
		t.Errorf("map run ARN %q (event %q)", run.ARN(), ev[3].Resource)
	}
	if d := ev[3].SFN().MapRunStartedEventDetails; d == nil || *d.MapRunArn != run.ARN() {
		t.Errorf("MapRunStarted details %+v", d)
	}
	info := run.Describe()
	if info.Status != MapRunSucceeded || info.Items.Succeeded != 3 || info.Items.Total != 3 || info.Executions.Succeeded != 3 || info.MaxConcurrency != DefaultDistributedConcurrency {
		t.Errorf("describe %+v", info)
	}
	kids := run.Children()
	if len(kids) != 3 {
		t.Fatalf("%d children", len(kids))
	}
	for _, c := range kids {
		if c.MapRun() != run || !strings.HasPrefix(c.ARN(), "arn:aws:states:us-east-1:123456789012:execution:StateMachine/") {
			t.Errorf("child %s of run %v", c.ARN(), c.MapRun())
		}
		if got := eventTypes(c); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited ExecutionSucceeded" {
			t.Errorf("child history %s", got)
		}
	}
}

func TestDistributedMapReaderFormats(t *testing.T) {
	store := objectDir(t, map[string]string{
		"b/rows.csv":      "Col1,Col2\nValue1,Value2\nValue3\n\"a,b\",x\n",
		"b/rows.tsv":      "Value1\tValue2\n",
		"b/lines.jsonl":   "{\"a\":1}\n\n{\"a\":2}\n{\"a\":3}\n",
		"b/dup.csv":       "H,H\n1,2\n",
		"b/obj.json":      `{"Hello":"world"}`,
		"b/broken.json":   `[{"n":1},`,
		"b/list/p/1.txt":  "hello world!",
		"b/list/p/2.txt":  "hi",
		"b/list/other.md": "x",
	})
	pass := func(reader string) string {
		return `{"StartAt":"Fan","States":{"Fan":{"Type":"Map","ItemReader":` + reader + `,
		 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	}
	get := func(config string) string {
		return pass(`{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":` + config + `,"Parameters":{"Bucket":"b","Key.$":"$.Key"}}`)
	}
	for _, tc := range []struct {
		name, doc, key, status, out, errName, cause string
	}{
		{name: "csv first row", doc: get(`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`), key: "rows.csv",
			out: `[{"Col1":"Value1","Col2":"Value2"},{"Col1":"Value3","Col2":""},{"Col1":"a,b","Col2":"x"}]`},
		{name: "csv given headers, max items", doc: get(`{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["H1"],"MaxItems":2}`), key: "rows.csv",
			out: `[{"H1":"Col1"},{"H1":"Value1"}]`},
		{name: "tab delimiter", doc: get(`{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["A","B"],"CSVDelimiter":"TAB"}`), key: "rows.tsv",
			out: `[{"A":"Value1","B":"Value2"}]`},
		{name: "jsonl", doc: get(`{"InputType":"JSONL","MaxItems":2}`), key: "lines.jsonl", out: `[{"a":1},{"a":2}]`},
		{name: "duplicate headers", doc: get(`{"InputType":"CSV"}`), key: "dup.csv", errName: states.ItemReaderFailed, cause: "CSV headers cannot contain duplicates."},
		{name: "json not a list", doc: get(`{"InputType":"JSON"}`), key: "obj.json", errName: states.ItemReaderFailed, cause: "Attempting to map over non-iterable node."},
		{name: "json broken", doc: get(`{"InputType":"JSON"}`), key: "broken.json", errName: states.ItemReaderFailed, cause: "is not JSON"},
		{name: "missing object", doc: get(`{"InputType":"JSON"}`), key: "nope.json", errName: states.ItemReaderFailed, cause: "The specified key does not exist."},
		{name: "listing", doc: pass(`{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"list/p/"}}`),
			out: `["list/p/1.txt",12,"list/p/2.txt",2]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := runDist(t, store, tc.doc, `{"Key":"`+tc.key+`"}`, &script{})
			if tc.errName != "" {
				wantDistFailure(t, x, tc.errName, tc.cause)
				want := "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed ExecutionFailed"
				if got := eventTypes(x); got != want {
					t.Errorf("events\n got %s\nwant %s", got, want)
				}
				return
			}
			wantResult(t, x, StatusSucceeded, "")
			_, out, _, _ := x.Result()
			got := value.MustEncodeString(out)
			if strings.Contains(tc.name, "listing") {
				var flat []any
				for _, o := range out.([]any) {
					m := o.(map[string]any)
					if m["StorageClass"] != "STANDARD" || !strings.HasPrefix(m["Etag"].(string), `"`) {
						t.Errorf("listed object %v", m)
					}
					flat = append(flat, m["Key"], m["Size"])
				}
				got = value.MustEncodeString(flat)
			}
			if got != tc.out {
				t.Errorf("output\n got %s\nwant %s", got, tc.out)
			}
		})
	}
}

func TestDistributedMapFromInputWithSelectorAndBatcher(t *testing.T) {
	doc := distDoc("", `"ItemsPath":"$.items","ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
	 "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"from.$":"$.k"}}`)
	h := &script{}
	x := runDist(t, nil, doc, `{"k":"K","items":["a","b","c"]}`, h)
	wantResult(t, x, StatusSucceeded, `[{"BatchInput":{"from":"K"},"Items":[{"i":0,"k":"K","v":"a"},{"i":1,"k":"K","v":"b"}]},{"BatchInput":{"from":"K"},"Items":[{"i":2,"k":"K","v":"c"}]}]`)
	if ev := x.Events(); ev[2].Length != 3 {
		t.Errorf("MapStateStarted length %d, want the 3 items of the input", ev[2].Length)
	}
	info := x.MapRuns()[0].Describe()
	if info.Items.Total != 3 || info.Executions.Total != 2 || info.Executions.Succeeded != 2 {
		t.Errorf("counts %+v", info)
	}
}

func TestDistributedMapBatchesByBytes(t *testing.T) {
	doc := distDoc("", `"ItemBatcher":{"MaxInputBytesPerBatch":40}`)
	x := runDist(t, nil, doc, `["aaaaaaaaaa","bbbbbbbbbb","cccccccccc","dddddddddd"]`, &script{})
	wantResult(t, x, StatusSucceeded, `[{"Items":["aaaaaaaaaa","bbbbbbbbbb"]},{"Items":["cccccccccc","dddddddddd"]}]`)
}

func TestDistributedMapTolerance(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		ok          bool
	}{
		{"no tolerance", "", false},
		{"count 1 of 2 failed", `"ToleratedFailureCount":1`, true},
		{"count 0", `"ToleratedFailureCount":0`, false},
		{"percentage 25 of 25", `"ToleratedFailurePercentage":25`, true},
		{"percentage 24", `"ToleratedFailurePercentage":24.9`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One of four items fails: the second.
			h := &script{replies: []reply{{out: "ok"}, fail("Boom", "it broke"), {out: "ok"}, {out: "ok"}}}
			extra := `"MaxConcurrency":1`
			if tc.extra != "" {
				extra += "," + tc.extra
			}
			x := runDist(t, nil, distDoc("", extra), `[1,2,3,4]`, h)
			if !tc.ok {
				wantDistFailure(t, x, states.ExceedToleratedFailureThreshold, toleranceExceededCause)
				if info := x.MapRuns()[0].Describe(); info.Status != MapRunFailed || info.Items.Failed != 1 {
					t.Errorf("describe %+v", info)
				}
				return
			}
			wantResult(t, x, StatusSucceeded, "")
			_, out, _, _ := x.Result()
			list := out.([]any)
			rec, _ := list[1].(map[string]any)
			if len(list) != 4 || rec["Status"] != "FAILED" || rec["Error"] != "Boom" || rec["Cause"] != "it broke" {
				t.Errorf("output %s", value.MustEncodeString(out))
			}
		})
	}
}

func TestDistributedMapToleranceErrorsAreCaught(t *testing.T) {
	doc := `{"StartAt":"Fan","States":{"Fan":{"Type":"Map",
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
	  "StartAt":"Bad","States":{"Bad":{"Type":"Fail","Error":"Nope"}}},
	 "Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"Caught"}],"End":true},
	 "Caught":{"Type":"Pass","End":true}}}`
	x := runDist(t, nil, doc, `[1]`, &script{})
	wantResult(t, x, StatusSucceeded, `{"Cause":"`+toleranceExceededCause+`","Error":"States.ExceedToleratedFailureThreshold"}`)
}

func TestDistributedMapBadSettingsAreRuntimeErrors(t *testing.T) {
	for _, tc := range []struct{ extra, input, cause string }{
		{`"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.T"`, `{"Items":[0],"T":"NoNumber"}`,
			`An error occurred while executing the state 'Fan' (entered at the event id #2). The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.T`},
		{`"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.T"`, `{"Items":[0],"T":-1}`,
			`An error occurred while executing the state 'Fan' (entered at the event id #2). ToleratedFailureCount cannot be negative.`},
		{`"ItemsPath":"$.Items","ToleratedFailurePercentagePath":"$.T"`, `{"Items":[0],"T":100.1}`,
			`An error occurred while executing the state 'Fan' (entered at the event id #2). ToleratedFailurePercentage must be between 0 and 100.`},
	} {
		x := runDist(t, nil, distDoc("", tc.extra), tc.input, &script{})
		wantDistFailure(t, x, states.Runtime, tc.cause)
		if got := eventTypes(x); got != "ExecutionStarted MapStateEntered MapStateStarted ExecutionFailed" {
			t.Errorf("events %s", got)
		}
	}
	reader := `{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItemsPath":"$.Max"},"Parameters":{"Bucket":"b","Key":"k"}}`
	store := objectDir(t, map[string]string{"b/k": `[1,2,3]`})
	x := runDist(t, store, distDoc(reader, ""), `{"Max":1.5}`, &script{})
	wantDistFailure(t, x, states.Runtime, `The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.Max`)
	x = runDist(t, store, distDoc(reader, ""), `{"Max":-1}`, &script{})
	wantDistFailure(t, x, states.ItemReaderFailed, "field MaxItems must be positive")
	x = runDist(t, store, distDoc(reader, ""), `{"Max":2}`, &script{})
	wantResult(t, x, StatusSucceeded, `[1,2]`)
}

func TestDistributedMapResultWriter(t *testing.T) {
	store := objectDir(t, nil)
	doc := distDoc("", `"Label":"Orders","ToleratedFailureCount":1,"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"jobs"}}`)
	h := &script{replies: []reply{{out: map[string]any{"r": 1}}, fail("Boom", "bad")}}
	x := runDist(t, store, doc, `["a","b"]`, h)
	wantResult(t, x, StatusSucceeded, "")
	run := x.MapRuns()[0]
	id := run.ARN()[strings.LastIndexByte(run.ARN(), ':')+1:]
	if !strings.Contains(run.ARN(), ":mapRun:StateMachine/Orders:") {
		t.Errorf("map run ARN %s lacks the label", run.ARN())
	}
	_, out, _, _ := x.Result()
	want := `{"MapRunArn":"` + run.ARN() + `","ResultWriterDetails":{"Bucket":"out","Key":"jobs/` + id + `/manifest.json"}}`
	if got := value.MustEncodeString(out); got != want {
		t.Fatalf("output\n got %s\nwant %s", got, want)
	}
	manifest, err := store.GetObject(context.Background(), "out", "jobs/"+id+"/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	m := mustJSON(t, string(manifest)).(map[string]any)
	files := m["ResultFiles"].(map[string]any)
	if m["DestinationBucket"] != "out" || m["MapRunArn"] != run.ARN() || len(files["SUCCEEDED"].([]any)) != 1 || len(files["FAILED"].([]any)) != 1 || len(files["PENDING"].([]any)) != 0 {
		t.Fatalf("manifest %s", manifest)
	}
	body, err := store.GetObject(context.Background(), "out", "jobs/"+id+"/SUCCEEDED_0.json")
	if err != nil {
		t.Fatal(err)
	}
	recs := mustJSON(t, string(body)).([]any)
	rec := recs[0].(map[string]any)
	if rec["Output"] != `{"r":1}` || rec["Input"] != `"a"` || rec["Status"] != "SUCCEEDED" || !strings.Contains(rec["StateMachineArn"].(string), "stateMachine:StateMachine/Orders") {
		t.Errorf("succeeded record %s", body)
	}
	failedBody, _ := store.GetObject(context.Background(), "out", "jobs/"+id+"/FAILED_0.json")
	if !strings.Contains(string(failedBody), `"Error":"Boom"`) {
		t.Errorf("failed records %s", failedBody)
	}
	// Without a store to write to, the writer fails as Step Functions says.
	x = runDist(t, nil, doc, `["a"]`, &script{})
	wantDistFailure(t, x, states.ResultWriterFailed, "--s3-dir")
}

func TestDistributedMapWriterConfigAlone(t *testing.T) {
	doc := distDoc("", `"ResultWriter":{"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSON"}}`)
	h := &script{replies: []reply{{out: []any{"a", "b"}}, {out: []any{"c"}}}}
	x := runDist(t, nil, doc, `[1,2]`, h)
	wantResult(t, x, StatusSucceeded, `["a","b","c"]`)
}

// concurrencyProbe answers after a second of virtual time and records
// how many calls were in flight at most.
type concurrencyProbe struct {
	clk           clock.Clock
	mu            sync.Mutex
	inFlight, max int
}

func (p *concurrencyProbe) Invoke(_ context.Context, req *TaskRequest, done func(any, error)) {
	p.mu.Lock()
	p.inFlight++
	p.max = max(p.max, p.inFlight)
	p.mu.Unlock()
	p.clk.AfterFunc(time.Second, func() {
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
		done(req.Input, nil)
	})
}

func TestDistributedMapChildrenRunConcurrentlyUpToMaxConcurrency(t *testing.T) {
	m, err := Parse([]byte(distDoc("", `"MaxConcurrency":3`)))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	p := &concurrencyProbe{clk: vc}
	eng := &Engine{Clock: vc, Resources: Resources{fnARN: p}}
	items := make([]any, 10)
	for i := range items {
		items[i] = value.IntNumber(int64(i))
	}
	x, err := eng.Start(context.Background(), m, StartOptions{Input: items})
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantResult(t, x, StatusSucceeded, `[0,1,2,3,4,5,6,7,8,9]`)
	if p.max != 3 {
		t.Errorf("at most %d children at once, want 3", p.max)
	}
	if got := vc.Now().Sub(clock.Epoch); got != 4*time.Second {
		t.Errorf("took %v of virtual time, want 4s (10 items, 3 at a time)", got)
	}
}

func TestDistributedMapStopAbortsChildren(t *testing.T) {
	m, err := Parse([]byte(distDoc("", "")))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	p := &concurrencyProbe{clk: vc}
	eng := &Engine{Clock: vc, Resources: Resources{fnARN: p}}
	x, err := eng.Start(context.Background(), m, StartOptions{Input: []any{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	x.Stop("", "")
	vc.Run()
	run := x.MapRuns()[0]
	info := run.Describe()
	if x.Status() != StatusAborted || info.Status != MapRunAborted || info.Executions.Aborted != 2 {
		t.Fatalf("execution %s, run %+v", x.Status(), info)
	}
	for _, c := range run.Children() {
		if c.Status() != StatusAborted {
			t.Errorf("child %s is %s", c.Name, c.Status())
		}
	}
}

func TestDistributedMapJSONata(t *testing.T) {
	store := objectDir(t, map[string]string{"b/k.json": `[1,2,3,4,5]`})
	doc := `{"QueryLanguage":"JSONata","StartAt":"Fan","States":{"Fan":{"Type":"Map",
	 "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItems":"{% $states.input.max %}"},
	   "Arguments":{"Bucket":"{% $states.input.bucket %}","Key":"k.json"}},
	 "ItemSelector":{"v":"{% $states.context.Map.Item.Value * 10 %}"},
	 "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"tag":"{% $states.input.bucket %}"}},
	 "ToleratedFailurePercentage":"{% 0 %}",
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
	  "StartAt":"Sum","States":{"Sum":{"Type":"Pass","Output":"{% $sum($states.input.Items.v) %}","End":true}}},
	 "Output":"{% $states.result %}","End":true}}}`
	x := runDist(t, store, doc, `{"bucket":"b","max":4}`, &script{})
	wantResult(t, x, StatusSucceeded, `[30,70]`)
	if !x.MapRuns()[0].Express() {
		t.Error("ExecutionType EXPRESS not kept")
	}
}

// itemMock answers the Map state named Fan with a fixed answer.
type itemMock struct{ a MockAnswer }

func (m itemMock) Answer(state string) (MockAnswer, bool) {
	if state == "Fan" {
		return m.a, true
	}
	return MockAnswer{}, false
}

func TestDistributedMapReaderAnsweredByMock(t *testing.T) {
	csvReader := `{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV"},"Parameters":{"Bucket":"b","Key":"k"}}`
	x, _ := runStart(t, &Engine{}, distDoc(csvReader, ""), StartOptions{Input: map[string]any{}, Mock: itemMock{MockAnswer{Output: "a,b\n1,2\n"}}}, &script{})
	wantResult(t, x, StatusSucceeded, `[{"a":"1","b":"2"}]`)
	x, _ = runStart(t, &Engine{}, distDoc(jsonReader, ""), StartOptions{Input: map[string]any{"Bucket": "b", "Key": "k"}, Mock: itemMock{MockAnswer{Output: []any{"x"}}}}, &script{})
	wantResult(t, x, StatusSucceeded, `["x"]`)
	x, _ = runStart(t, &Engine{}, distDoc(jsonReader, ""), StartOptions{Input: map[string]any{"Bucket": "b", "Key": "k"}, Mock: itemMock{MockAnswer{Err: states.New("S3.NoSuchKey", "gone")}}}, &script{})
	wantDistFailure(t, x, "S3.NoSuchKey", "gone")
	// Neither a mock nor a store: the failure says how to give one.
	x, _ = runStart(t, &Engine{}, distDoc(jsonReader, ""), StartOptions{Input: map[string]any{"Bucket": "b", "Key": "k"}}, &script{})
	wantDistFailure(t, x, states.ItemReaderFailed, "--s3-dir")
}

func TestDistributedMapValidation(t *testing.T) {
	for _, tc := range []struct{ doc, where string }{
		{distDoc(`{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}}`, ""), "ItemReader.ReaderConfig"},
		{distDoc(`{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"XML"},"Parameters":{}}`, ""), "ReaderConfig.InputType"},
		{distDoc(`{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN"},"Parameters":{}}`, ""), "CSVHeaders"},
		{distDoc("", `"ItemBatcher":{}`), "ItemBatcher"},
		{distDoc("", `"ResultWriter":{}`), "ResultWriter"},
		{distDoc("", `"Label":"has space"`), "Label"},
		{distDoc("", `"ToleratedFailurePercentage":101`), "ToleratedFailurePercentage"},
		{`{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "DISTRIBUTED"},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.where) {
			t.Errorf("error %v, want one naming %s", err, tc.where)
		}
	}
}

// A Pool (the simulator's fast path) runs a Distributed Map as the Engine
// does: its children are ordinary executions of the pool's engine.
func TestDistributedMapInAPool(t *testing.T) {
	doc := distDoc("", `"ItemsPath":"$.items","ItemSelector":{"v.$":"$$.Map.Item.Value"},"ToleratedFailureCount":1`)
	replies := []reply{{out: map[string]any{"ok": true}}, fail("Boom", "bad"), {out: map[string]any{"ok": 1}}}
	want := runDist(t, nil, doc, `{"items":[1,2,3]}`, &script{replies: slices.Clone(replies)})
	_, wantOut, _, _ := want.Result()
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	vc.Solo()
	pool := NewPool(m, PoolOptions{Clock: vc, Resources: Resources{fnARN: &script{clk: vc, replies: slices.Clone(replies)}}, Seed: 42})
	x, err := pool.Start(context.Background(), "t", mustJSON(t, `{"items":[1,2,3]}`).(map[string]any), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	status, out, _, _ := x.Result()
	// The failed child's record names its own ARN and dates: compare the
	// successes and the failure's error.
	got, exp := out.([]any), wantOut.([]any)
	if status != StatusSucceeded || len(got) != 3 || value.MustEncodeString(got[0]) != value.MustEncodeString(exp[0]) ||
		value.MustEncodeString(got[2]) != value.MustEncodeString(exp[2]) || got[1].(map[string]any)["Error"] != "Boom" {
		t.Fatalf("pool: %s %s\nengine: %s", status, value.MustEncodeString(out), value.MustEncodeString(wantOut))
	}
}

// The CSV objects and outputs of three Distributed Map executions recorded
// against AWS (LocalStack's validated snapshots of
// test_map_item_reader_base_csv_headers_first_line,
// test_map_item_reader_csv_headers_first_row_typed_headers and
// test_map_item_reader_csv_first_row_extra_fields): a row with more fields
// than headers drops the rest, one with fewer gets "", white space is kept.
func TestDistributedMapCSVAsAWSReadsIt(t *testing.T) {
	rows := "Value4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
	for _, tc := range []struct{ csv, want string }{
		{"Col1,Col2,Col3\nValue1,Value2,Value3\n" + rows,
			`[{"Col1":"Value1","Col2":"Value2","Col3":"Value3"},{"Col1":"Value4","Col2":"Value5","Col3":"Value6"},{"Col1":"","Col2":"","Col3":""},{"Col1":"true","Col2":"1","Col3":"'HelloWorld'"},{"Col1":"Null","Col2":"None","Col3":""},{"Col1":"   ","Col2":"","Col3":""}]`},
		{"0,True,{}\n" + rows,
			`[{"0":"Value4","{}":"Value6","True":"Value5"},{"0":"","{}":"","True":""},{"0":"true","{}":"'HelloWorld'","True":"1"},{"0":"Null","{}":"","True":"None"},{"0":"   ","{}":"","True":""}]`},
		{"H1,\n" + rows,
			`[{"":"Value5","H1":"Value4"},{"":"","H1":""},{"":"1","H1":"true"},{"":"None","H1":"Null"},{"":"","H1":"   "}]`},
	} {
		store := objectDir(t, map[string]string{"bucket-name/file.csv": tc.csv})
		reader := `{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket.$":"$.Bucket","Key.$":"$.Key"}}`
		doc := `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","MaxConcurrency":1,"ItemReader":` + reader + `,
		 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"PassItem","States":{"PassItem":{"Type":"Pass","End":true}}},"End":true}}}`
		x := runDist(t, store, doc, `{"Bucket":"bucket-name","Key":"file.csv"}`, &script{})
		wantResult(t, x, StatusSucceeded, value.MustEncodeString(mustJSON(t, tc.want)))
	}
}

// A Distributed Map inside a Distributed Map's child (the definition and
// output of test_map_state_nested_config_distributed, recorded against
// AWS).
func TestDistributedMapNested(t *testing.T) {
	doc := `{"StartAt":"SetupState","States":{
	 "SetupState":{"Type":"Pass","Result":{"values":[{"sub-values":[{"num":1,"str":"A"},{"num":2,"str":"B"}]}]},"Next":"MapState"},
	 "MapState":{"Type":"Map","MaxConcurrency":1,"ItemsPath":"$.values",
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"SubMapState","States":{
	   "SubMapState":{"Type":"Map","MaxConcurrency":1,"ItemsPath":"$.sub-values","ResultPath":"$.result",
	    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"SubMapStateSuccess","States":{"SubMapStateSuccess":{"Type":"Succeed"}}},
	    "End":true}}},
	  "End":true}}}`
	x := runDist(t, nil, doc, `{}`, &script{})
	wantResult(t, x, StatusSucceeded, `[{"result":[{"num":1,"str":"A"},{"num":2,"str":"B"}],"sub-values":[{"num":1,"str":"A"},{"num":2,"str":"B"}]}]`)
	kids := x.MapRuns()[0].Children()
	if len(kids) != 1 || len(kids[0].MapRuns()) != 1 || len(kids[0].MapRuns()[0].Children()) != 2 {
		t.Fatalf("nested map runs not kept")
	}
}

// JSONata batcher settings read the state's input after an ItemSelector
// has run (the shape of LocalStack's validated
// map_item_batcher_base_max_per_batch_jsonata).
func TestDistributedMapJSONataBatcherReadsInput(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"Batch","States":{"Batch":{"Type":"Map","Items":"{% $states.input.items %}",
	 "ItemSelector":{"x":"{% $states.context.Map.Item.Value %}"},
	 "ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.per %}","MaxInputBytesPerBatch":"{% $states.input.bytes %}","BatchInput":{"n":"{% $count($states.input.items) %}"}},
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
	 "End":true}}}`
	x := runDist(t, nil, doc, `{"items":[1,2,3],"per":2,"bytes":1000}`, &script{})
	wantResult(t, x, StatusSucceeded, `[{"BatchInput":{"n":3},"Items":[{"x":1},{"x":2}]},{"BatchInput":{"n":3},"Items":[{"x":3}]}]`)
	x = runDist(t, nil, doc, `{"items":[1],"per":"two","bytes":1000}`, &script{})
	wantDistFailure(t, x, states.QueryEvaluationError, "MaxItemsPerBatch")
}

// UpdateMapRun's settings take effect on the running Map Run: more
// children start at once, and failures that would have failed it are
// tolerated.
func TestDistributedMapUpdate(t *testing.T) {
	m, err := Parse([]byte(distDoc("", `"MaxConcurrency":1`)))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	p := &concurrencyProbe{clk: vc}
	eng := &Engine{Clock: vc, Resources: Resources{fnARN: p}}
	items := make([]any, 10)
	for i := range items {
		items[i] = value.IntNumber(int64(i))
	}
	x, err := eng.Start(context.Background(), m, StartOptions{Input: items})
	if err != nil {
		t.Fatal(err)
	}
	five := 5
	x.MapRuns()[0].Update(&five, nil, nil)
	vc.Run()
	wantResult(t, x, StatusSucceeded, `[0,1,2,3,4,5,6,7,8,9]`)
	if p.max != 5 || vc.Now().Sub(clock.Epoch) != 2*time.Second {
		t.Errorf("%d at once over %v, want 5 over 2s", p.max, vc.Now().Sub(clock.Epoch))
	}
	if info := x.MapRuns()[0].Describe(); info.MaxConcurrency != 5 {
		t.Errorf("describe says MaxConcurrency %d", info.MaxConcurrency)
	}

	m, err = Parse([]byte(distDoc("", `"MaxConcurrency":1`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, update := range []bool{false, true} {
		vc = clock.NewVirtual(clock.Epoch)
		h := &script{clk: vc, replies: []reply{{err: states.New("Boom", "bad"), delay: time.Second}, {out: "ok", delay: time.Second}}}
		eng = &Engine{Clock: vc, Resources: Resources{fnARN: h}}
		x, err = eng.Start(context.Background(), m, StartOptions{Input: []any{"a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if update {
			one := int64(1)
			x.MapRuns()[0].Update(nil, &one, nil)
		}
		vc.Run()
		if want := map[bool]Status{false: StatusFailed, true: StatusSucceeded}[update]; x.Status() != want {
			t.Errorf("updated %v: %s, want %s", update, x.Status(), want)
		}
	}
}
