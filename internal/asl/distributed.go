package asl

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/uuid"
)

// A Distributed Map state runs each item (or batch of items) as a child
// execution of its ItemProcessor, on the same engine and clock, with a
// history of its own. The parent records MapStateStarted, MapRunStarted,
// then MapRunSucceeded or MapRunFailed (MapRunAborted when it is stopped),
// and none of the children's events; a redrive of the parent records
// MapRunRedriven in place of MapRunStarted when it redrives the Map Run; the Map Run (MapRun) keeps the
// children and their counts for DescribeMapRun, ListMapRuns and
// ListExecutions.

// DefaultDistributedConcurrency is how many child executions a Distributed
// Map runs at once when MaxConcurrency is 0 or absent, as Step Functions
// does.
const DefaultDistributedConcurrency = 10000

// The failure of a Map Run that more child executions failed than it
// tolerates, as Step Functions words it.
const toleranceExceededCause = "The specified tolerated failure threshold was exceeded"

// distRun is a running Map Run, owned by the frame of its Map state.
type distRun struct {
	run     *MapRun
	state   *State
	inputs  []any // each child's input, dropped once it has started
	itemsOf []int // how many items each child processes
	results []any // each child's result, in item order
	next    int   // the next child to start
	running int
	settled int // children that have ended
	// failedItems counts the items of children that failed, timed out or
	// were aborted; totalItems all items.
	failedItems, totalItems int64
	maxConc                 int
	tolCount                int64
	tolPercent              float64
	hasCount, hasPercent    bool
	closed                  bool
	// Where the ResultWriter writes (empty bucket: nowhere).
	bucket, prefix string
	// In a redrive of the Map Run: keep marks the children that succeeded
	// before, whose results stand; redo holds, for the others that ran,
	// the child execution to redrive; again marks those counted in
	// PendingRedrive until they start.
	keep  []bool
	redo  []*Execution
	again []bool
}

// startDistributed runs a Distributed Map state's Map Run.
func (x *Execution) startDistributed(f *frame, s *State) step {
	if g := x.redrivenGroup(f, s); g != nil && g.run != nil {
		if r, ok := x.redriveRun(f, s, g.run); ok {
			return r
		}
	}
	d := s.dist
	var items []any
	var maxConc int
	var fl *failure
	if s.jsonata {
		items, maxConc, fl = x.mapItemsJ(f, s, d.reader == nil)
	} else {
		items, maxConc, fl = x.mapItems(f, s, d.reader == nil)
	}
	if fl != nil && s.jsonata {
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateFailed})
		return x.catchOrFail(f, s, *fl)
	}
	if fl != nil {
		return failed(*fl)
	}
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateStarted, Length: int32(len(items))})
	dr := &distRun{state: s, maxConc: maxConc}
	if dr.maxConc <= 0 || dr.maxConc > DefaultDistributedConcurrency {
		dr.maxConc = DefaultDistributedConcurrency
	}
	// The settings are read before the Map Run starts: a bad one fails the
	// state with States.Runtime and no Map Run.
	var v float64
	if v, dr.hasCount, fl = x.numberOf(f, s, &d.tolCount, true); fl != nil {
		return failed(*fl)
	}
	dr.tolCount = int64(v)
	if dr.hasCount && dr.tolCount < 0 {
		return failed(*x.runtimeError(f, "ToleratedFailureCount cannot be negative."))
	}
	if dr.tolPercent, dr.hasPercent, fl = x.numberOf(f, s, &d.tolPercent, false); fl != nil {
		return failed(*fl)
	}
	if dr.hasPercent && (dr.tolPercent < 0 || dr.tolPercent > 100) {
		return failed(*x.runtimeError(f, "ToleratedFailurePercentage must be between 0 and 100."))
	}
	var maxItems float64
	var readerParams any
	if r := d.reader; r != nil {
		if maxItems, _, fl = x.numberOf(f, s, &r.maxItems, true); fl != nil {
			return failed(*fl)
		}
		if readerParams, fl = x.payloadOf(f, s, r.params, r.args); fl != nil {
			return failed(*fl)
		}
	}
	if w := d.writer; w != nil && w.resource != "" {
		params, fl := x.payloadOf(f, s, w.params, w.args)
		if fl != nil {
			return failed(*fl)
		}
		obj, _ := params.(map[string]any)
		dr.bucket, _ = obj["Bucket"].(string)
		dr.prefix, _ = obj["Prefix"].(string)
		if dr.bucket == "" {
			return failed(failure{name: states.ResultWriterFailed, cause: "The ResultWriter's parameters must give the Bucket to write to: " + value.MustEncodeString(params)})
		}
	}
	x.beginRun(f, s, dr)
	if r := d.reader; r != nil {
		if maxItems < 0 {
			return x.endRun(f, dr, readerFailed("field MaxItems must be positive"))
		}
		if items, fl = x.readItems(f, s, r, readerParams, int64(maxItems)); fl != nil {
			return x.endRun(f, dr, fl)
		}
	}
	if fl := x.childInputs(f, s, dr, items); fl != nil {
		return x.endRun(f, dr, fl)
	}
	x.launchChildren(f, dr)
	return x.checkRun(f, dr)
}

// beginRun creates the Map Run and records MapRunStarted.
func (x *Execution) beginRun(f *frame, s *State, dr *distRun) {
	d := s.dist
	var b [16]byte
	rng := x.rand()
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	id := uuid.V4(b)
	label := d.label
	if label == "" {
		// Step Functions names an unlabelled Map Run's machine with a UUID.
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		label = uuid.V4(b)
	}
	child := x.smName + "/" + label
	e := x.engine
	run := &MapRun{
		arn:          "arn:aws:states:" + e.region() + ":" + e.account() + ":mapRun:" + child + ":" + id,
		executionARN: x.ARN(), machineARN: x.StateMachineARN(), childMachine: e.StateMachineARN(child),
		express: d.express, start: x.clk.Now(), status: MapRunRunning,
		maxConcurrency: dr.maxConc, tolPercent: dr.tolPercent, tolCount: dr.tolCount,
	}
	if !dr.hasCount {
		run.tolCount = 0
	}
	run.hasCount, run.hasPercent = dr.hasCount, dr.hasPercent
	run.updated = func() { x.post(func() { x.mapRunUpdated(f, dr) }) }
	dr.run = run
	f.run = dr
	x.mu.lock()
	x.mapRuns = append(x.mapRuns, run)
	x.mu.unlock()
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapRunStarted, Resource: run.arn})
}

// numberOf reads a Distributed Map's number field from the state's
// effective input: present is false when the field is absent.
func (x *Execution) numberOf(f *frame, s *State, n *numField, integer bool) (v float64, present bool, fl *failure) {
	switch {
	case !n.set:
		return 0, false, nil
	case n.j != nil:
		got, bad := x.evalField(f, n.j)
		if bad != nil {
			fl := x.queryFailure(f, bad)
			return 0, false, &fl
		}
		num, ok := value.Float(got)
		if ok && integer && num != float64(int64(num)) {
			ok = false
		}
		if !ok {
			want := "number"
			if integer {
				want = "integer"
			}
			fl := x.queryFailure(f, typeFailure(n.j, want, got))
			return 0, false, &fl
		}
		return num, true, nil
	case n.path != nil:
		got, err := x.getPath(f, n.path, f.effective)
		if err != nil {
			return 0, false, x.runtimeError(f, invalidPath(n.path, err))
		}
		text, isStr := got.(string)
		if !isStr {
			text = value.MustEncodeString(got)
		}
		if integer {
			i, ok := intOf(got)
			if !ok {
				return 0, false, x.runtimeError(f, fmt.Sprintf("The %sPath field refers to value \"%s\" which is not a valid integer: %s", n.name, text, n.path))
			}
			return float64(i), true, nil
		}
		num, ok := value.Float(got)
		if isStr {
			var err error
			num, err = strconv.ParseFloat(text, 64)
			ok = err == nil
		}
		if !ok {
			return 0, false, x.runtimeError(f, fmt.Sprintf("The %sPath field refers to value \"%s\" which is not a valid number: %s", n.name, text, n.path))
		}
		return num, true, nil
	}
	return n.lit, true, nil
}

// payloadOf evaluates an ItemReader's or ResultWriter's Parameters
// (JSONPath) or Arguments (JSONata).
func (x *Execution) payloadOf(f *frame, s *State, tp *template, jf *jfield) (any, *failure) {
	switch {
	case tp != nil:
		return x.evalTemplate(f, tp, f.effective, nil)
	case jf != nil:
		x.setStates(f, 0, f.input, nil, nil, s)
		v, bad := x.evalField(f, jf)
		if bad != nil {
			fl := x.queryFailure(f, bad)
			return nil, &fl
		}
		return v, nil
	}
	return map[string]any{}, nil
}

// childInputs builds each child execution's input: every item through the
// ItemSelector, then, with an ItemBatcher, the items grouped into batches
// {"Items": [...], "BatchInput": ...}.
func (x *Execution) childInputs(f *frame, s *State, dr *distRun, items []any) *failure {
	selected := items
	if s.itemSelector != nil || s.itemSelectorJ != nil {
		selected = make([]any, len(items))
		for i, item := range items {
			v, fl := x.selectItem(f, s, i, item)
			if fl != nil {
				return fl
			}
			selected[i] = v
		}
	}
	dr.totalItems = int64(len(items))
	b := s.dist.batcher
	if b == nil {
		// A copy: launchChildren drops each input once its child has
		// started, and without an ItemSelector these are the state input's
		// own items.
		dr.inputs = append([]any(nil), selected...)
		dr.itemsOf = make([]int, len(selected))
		for i := range dr.itemsOf {
			dr.itemsOf[i] = 1
		}
	} else if fl := x.batchItems(f, s, dr, b, selected); fl != nil {
		return fl
	}
	dr.results = make([]any, len(dr.inputs))
	run := dr.run
	run.mu.Lock()
	run.children = make([]*Execution, len(dr.inputs))
	run.items.Total, run.items.Pending = dr.totalItems, dr.totalItems
	run.execs.Total, run.execs.Pending = int64(len(dr.inputs)), int64(len(dr.inputs))
	run.mu.Unlock()
	return nil
}

// batchItems groups the selected items into the ItemBatcher's batches,
// {"Items": [...], "BatchInput": ...}, each within MaxItemsPerBatch and
// MaxInputBytesPerBatch, as dr's child inputs.
func (x *Execution) batchItems(f *frame, s *State, dr *distRun, b *itemBatcher, selected []any) *failure {
	if s.jsonata {
		// The ItemSelector set $states.context to the last item's.
		x.setStates(f, 0, f.input, nil, nil, s)
	}
	maxN, _, fl := x.numberOf(f, s, &b.maxItems, true)
	if fl != nil {
		return fl
	}
	maxB, _, fl := x.numberOf(f, s, &b.maxBytes, true)
	if fl != nil {
		return fl
	}
	if maxN < 0 || maxB < 0 {
		return x.runtimeError(f, "MaxItemsPerBatch and MaxInputBytesPerBatch must not be negative.")
	}
	if maxB == 0 || maxB > MaxPayloadBytes {
		maxB = MaxPayloadBytes
	}
	var batchInput any
	hasBatchInput := false
	switch {
	case b.batchInput != nil:
		if batchInput, fl = x.evalTemplate(f, b.batchInput, f.effective, nil); fl != nil {
			return fl
		}
		hasBatchInput = true
	case b.batchInputJ != nil:
		x.setStates(f, 0, f.input, nil, nil, s)
		v, bad := x.evalField(f, b.batchInputJ)
		if bad != nil {
			fl := x.queryFailure(f, bad)
			return &fl
		}
		batchInput, hasBatchInput = v, true
	}
	base := len(`{"Items":[]}`)
	if hasBatchInput {
		base += len(`,"BatchInput":`) + value.EncodedSize(batchInput)
	}
	flush := func(batch []any) {
		in := map[string]any{"Items": batch}
		if hasBatchInput {
			in["BatchInput"] = batchInput
		}
		dr.inputs = append(dr.inputs, in)
		dr.itemsOf = append(dr.itemsOf, len(batch))
	}
	var batch []any
	size := base
	for _, item := range selected {
		n := value.EncodedSize(item)
		if len(batch) > 0 {
			n++ // the comma
		}
		if len(batch) > 0 && ((maxN > 0 && len(batch) >= int(maxN)) || size+n > int(maxB)) {
			flush(batch)
			batch, size, n = nil, base, n-1
		}
		batch = append(batch, item)
		size += n
	}
	if len(batch) > 0 {
		flush(batch)
	}
	return nil
}

// selectItem runs the ItemSelector on item i, with $$.Map.Item (JSONPath)
// or $states.context.Map.Item (JSONata) its index and value.
func (x *Execution) selectItem(f *frame, s *State, i int, item any) (any, *failure) {
	if s.jsonata {
		return x.itemInputJ(f, s, i, item)
	}
	ctx := x.context(f)
	itemCtx := make(map[string]any, len(ctx)+1)
	for k, v := range ctx {
		itemCtx[k] = v
	}
	itemCtx["Map"] = map[string]any{"Item": map[string]any{"Index": value.IntNumber(int64(i)), "Value": item}}
	return x.evalTemplate(f, s.itemSelector, f.effective, itemCtx)
}

// launchChildren starts child executions up to the Map Run's concurrency.
// A child that ends posts its end to this execution's mailbox, so a child
// that ends at once (within Start) is taken after the launch is done.
func (x *Execution) launchChildren(f *frame, dr *distRun) {
	run := dr.run
	for !dr.closed && dr.next < len(dr.inputs) && dr.running < dr.maxConc {
		if f.dead || x.isEnded() {
			return
		}
		i := dr.next
		dr.next++
		if dr.keep != nil && dr.keep[i] {
			continue // it succeeded before the redrive
		}
		input := dr.inputs[i]
		dr.inputs[i] = nil
		dr.running++
		n := int64(dr.itemsOf[i])
		run.mu.Lock()
		if dr.again != nil && dr.again[i] {
			run.items.PendingRedrive -= n
			run.execs.PendingRedrive--
		} else {
			run.items.Pending -= n
			run.execs.Pending--
		}
		run.items.Running += n
		run.execs.Running++
		run.mu.Unlock()
		onDone := func(c *Execution) {
			x.post(func() { x.childEnded(f, dr, i, c) })
		}
		var c *Execution
		var err error
		if dr.redo != nil && dr.redo[i] != nil {
			c, err = x.redriveChild(dr, dr.redo[i], onDone)
		} else {
			var b [16]byte
			rng := x.rand()
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			c, err = x.engine.Start(x.ctx, dr.state.Processor, StartOptions{
				Name:             uuid.V4(b),
				Input:            input,
				StateMachineName: strings.TrimPrefix(run.childMachine, x.engine.StateMachineARN("")),
				Mock:             x.mock,
				mapRun:           run,
				OnDone:           onDone,
			})
		}
		if err != nil {
			// The child cannot start (its input is over the payload limit):
			// it counts as a failed item. Its input stays for a redrive.
			dr.inputs[i] = input
			x.post(func() { x.childEnded(f, dr, i, nil) })
			continue
		}
		run.mu.Lock()
		run.children[i] = c
		run.mu.Unlock()
	}
}

// childEnded takes the end of child i (nil: it could not start).
func (x *Execution) childEnded(f *frame, dr *distRun, i int, c *Execution) {
	if dr.closed || f.run != dr || f.dead || x.isEnded() {
		if dr.closed {
			// The Map Run has ended: it still counts the child's end.
			dr.run.mu.Lock()
			dr.run.recountLocked(false)
			dr.run.mu.Unlock()
		}
		return
	}
	run := dr.run
	dr.running--
	dr.settled++
	status, out := StatusFailed, any(nil)
	if c != nil {
		status, out, _, _ = c.Result()
	}
	n := int64(dr.itemsOf[i])
	run.mu.Lock()
	run.items.Running -= n
	run.execs.Running--
	switch status {
	case StatusSucceeded:
		run.items.Succeeded += n
		run.execs.Succeeded++
	case StatusTimedOut:
		run.items.TimedOut += n
		run.execs.TimedOut++
	case StatusAborted:
		run.items.Aborted += n
		run.execs.Aborted++
	default:
		run.items.Failed += n
		run.execs.Failed++
	}
	run.mu.Unlock()
	if status == StatusSucceeded {
		dr.results[i] = out
	} else {
		dr.failedItems += n
		if c != nil {
			dr.results[i] = childRecord(c)
		} else {
			dr.results[i] = map[string]any{"Error": states.DataLimitExceeded, "Cause": "The child execution's input is over the payload limit."}
		}
		if dr.exceeded() {
			r := x.endRun(f, dr, &failure{name: states.ExceedToleratedFailureThreshold, cause: toleranceExceededCause})
			x.proceed(f, r)
			return
		}
	}
	x.launchChildren(f, dr)
	if r := x.checkRun(f, dr); r.kind != outSuspend {
		x.proceed(f, r)
	}
}

// mapRunUpdated takes the settings UpdateMapRun gave the Map Run: more
// children may start, or the failures so far may now be too many.
func (x *Execution) mapRunUpdated(f *frame, dr *distRun) {
	if dr.closed || f.run != dr || f.dead || x.isEnded() {
		return
	}
	run := dr.run
	run.mu.Lock()
	dr.maxConc = run.maxConcurrency
	dr.tolCount, dr.hasCount = run.tolCount, run.hasCount
	dr.tolPercent, dr.hasPercent = run.tolPercent, run.hasPercent
	run.mu.Unlock()
	if dr.failedItems > 0 && dr.exceeded() {
		x.proceed(f, x.endRun(f, dr, &failure{name: states.ExceedToleratedFailureThreshold, cause: toleranceExceededCause}))
		return
	}
	x.launchChildren(f, dr)
	if r := x.checkRun(f, dr); r.kind != outSuspend {
		x.proceed(f, r)
	}
}

// exceeded reports whether more items failed than the Map Run tolerates:
// none, unless ToleratedFailureCount or ToleratedFailurePercentage says
// otherwise.
func (dr *distRun) exceeded() bool {
	if !dr.hasCount && !dr.hasPercent {
		return dr.failedItems > 0
	}
	if dr.hasCount && dr.failedItems > dr.tolCount {
		return true
	}
	if dr.hasPercent && dr.totalItems > 0 && float64(dr.failedItems)*100/float64(dr.totalItems) > dr.tolPercent {
		return true
	}
	return false
}

// checkRun ends the Map Run once every child has ended.
func (x *Execution) checkRun(f *frame, dr *distRun) step {
	if dr.closed || dr.settled < len(dr.inputs) {
		return suspend
	}
	s := dr.state
	output, fl := x.writeResults(f, s, dr)
	if fl != nil {
		return x.endRun(f, dr, fl)
	}
	dr.closed = true
	f.run = nil
	run := dr.run
	run.mu.Lock()
	run.status, run.stop = MapRunSucceeded, x.clk.Now()
	run.mu.Unlock()
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapRunSucceeded})
	// MapStateExited follows MapRunSucceeded, as Step Functions links them.
	if x.unobserved {
		x.eventCount++
	} else {
		x.emit(HistoryEvent{Type: types.HistoryEventTypeMapStateSucceeded, PreviousEventID: f.prev})
	}
	if s.dist.writer == nil && !value.SizeAtMost(output, MaxPayloadBytes) {
		return failed(x.dataLimit(f))
	}
	return x.processResult(f, s, output, nil)
}

// endRun fails the Map Run with fl, aborts the children still running, and
// hands the failure to the state's Retry and Catch.
func (x *Execution) endRun(f *frame, dr *distRun, fl *failure) step {
	x.abortRun(f, dr, false)
	dr.run.mu.Lock()
	dr.run.status = MapRunFailed
	dr.run.mu.Unlock()
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapRunFailed, Error: fl.name, Cause: fl.cause})
	s := dr.state
	if r, ok := x.tryRetry(f, s, *fl); ok {
		return r
	}
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateFailed})
	return x.catchOrFail(f, s, *fl)
}

// abortRun closes a Map Run and stops its running children; with record,
// as ABORTED with a MapRunAborted event (its state was stopped from outside).
func (x *Execution) abortRun(f *frame, dr *distRun, record bool) {
	if dr.closed {
		return
	}
	dr.closed = true
	if f.run == dr {
		f.run = nil
	}
	run := dr.run
	run.mu.Lock()
	run.stop = x.clk.Now()
	if record {
		run.status = MapRunAborted
	}
	// Kept for a redrive of the Map Run.
	run.saved, run.inputs, run.itemsOf, run.launched = true, dr.inputs, dr.itemsOf, dr.next
	run.bucket, run.prefix = dr.bucket, dr.prefix
	running := make([]*Execution, 0, dr.running)
	for _, c := range run.children {
		if c != nil && !c.Done() {
			running = append(running, c)
		}
	}
	run.mu.Unlock()
	stopChildren(run, running)
	run.mu.Lock()
	run.recountLocked(false)
	run.mu.Unlock()
	if record && !x.isEnded() {
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapRunAborted})
	}
}

// stopChildren aborts running children of run and counts them aborted.
func stopChildren(run *MapRun, running []*Execution) {
	for _, c := range running {
		if c.Stop("", "") {
			run.mu.Lock()
			run.items.Running--
			run.items.Aborted++
			run.execs.Running--
			run.execs.Aborted++
			run.mu.Unlock()
		}
	}
}

// abortMapRuns aborts the Map Runs still running when the execution ends
// (stopped, timed out, or failed in another branch).
func (x *Execution) abortMapRuns() {
	x.mu.lock()
	runs := x.mapRuns
	x.mu.unlock()
	now := x.clk.Now()
	for _, run := range runs {
		run.mu.Lock()
		if run.status != MapRunRunning {
			run.mu.Unlock()
			continue
		}
		run.status, run.stop = MapRunAborted, now
		var running []*Execution
		for _, c := range run.children {
			if c != nil && !c.Done() {
				running = append(running, c)
			}
		}
		run.mu.Unlock()
		stopChildren(run, running)
	}
}

// childRecord is what Step Functions says of a child execution in a
// ResultWriter's files (Transformation NONE) and of a failed child in a
// Map's output.
func childRecord(c *Execution) map[string]any {
	status, out, errName, cause := c.Result()
	in, _ := value.Encode(c.Input())
	rec := map[string]any{
		"ExecutionArn":        c.ARN(),
		"Input":               string(in),
		"InputDetails":        map[string]any{"Included": true},
		"Name":                c.Name,
		"RedriveCount":        value.IntNumber(int64(c.RedriveCount())),
		"RedriveStatus":       "NOT_REDRIVABLE",
		"RedriveStatusReason": "Execution is " + string(status) + " and cannot be redriven",
		"StartDate":           formatTime(c.StartTime()),
		"StateMachineArn":     c.StateMachineARN(),
		"Status":              string(status),
		"StopDate":            formatTime(c.StopTime()),
	}
	if status == StatusSucceeded {
		o, _ := value.Encode(out)
		rec["Output"] = string(o)
		rec["OutputDetails"] = map[string]any{"Included": true}
	} else {
		rec["Error"], rec["Cause"] = errName, cause
	}
	return rec
}

// writeResults makes the Map state's result: the children's results, or,
// with a ResultWriter, those results transformed and, when it names a
// bucket, written to the ObjectStore with the manifest, the result then
// being {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}.
func (x *Execution) writeResults(f *frame, s *State, dr *distRun) (any, *failure) {
	w := s.dist.writer
	if w == nil {
		return dr.results, nil
	}
	run := dr.run
	run.mu.Lock()
	children := append([]*Execution(nil), run.children...)
	run.mu.Unlock()
	transform := func(i int) []any {
		c := children[i]
		if c == nil || c.Status() != StatusSucceeded || w.transformation == "NONE" {
			if c == nil {
				return []any{dr.results[i]}
			}
			return []any{childRecord(c)}
		}
		if list, ok := dr.results[i].([]any); ok && w.transformation == "FLATTEN" {
			return list
		}
		return []any{dr.results[i]}
	}
	if dr.bucket == "" {
		out := []any{}
		for i := range children {
			out = append(out, transform(i)...)
		}
		return out, nil
	}
	store := x.engine.Objects
	if store == nil {
		return nil, &failure{name: states.ResultWriterFailed, cause: fmt.Sprintf("no S3 stand-in to write s3://%s/%s to: run with --s3-dir DIR (s3://BUCKET/KEY is then DIR/BUCKET/KEY)", dr.bucket, dr.prefix)}
	}
	id := run.arn[strings.LastIndexByte(run.arn, ':')+1:]
	dir := id + "/"
	if dr.prefix != "" {
		dir = strings.TrimSuffix(dr.prefix, "/") + "/" + id + "/"
	}
	byStatus := map[string][]any{"SUCCEEDED": {}, "FAILED": {}, "PENDING": {}}
	for i, c := range children {
		st := "FAILED"
		if c != nil && c.Status() == StatusSucceeded {
			st = "SUCCEEDED"
		}
		byStatus[st] = append(byStatus[st], transform(i)...)
	}
	files := map[string]any{"SUCCEEDED": []any{}, "FAILED": []any{}, "PENDING": []any{}}
	written := int64(0)
	for _, st := range []string{"SUCCEEDED", "FAILED", "PENDING"} {
		list := byStatus[st]
		if len(list) == 0 {
			continue
		}
		body, err := encodeResults(list, w.outputType)
		if err != nil {
			return nil, &failure{name: states.ResultWriterFailed, cause: err.Error()}
		}
		key := dir + st + "_0.json"
		if err := store.PutObject(x.ctx, dr.bucket, key, body); err != nil {
			return nil, &failure{name: states.ResultWriterFailed, cause: err.Error()}
		}
		files[st] = []any{map[string]any{"Key": key, "Size": value.IntNumber(int64(len(body)))}}
		written += int64(len(list))
	}
	manifest := map[string]any{"DestinationBucket": dr.bucket, "MapRunArn": run.arn, "ResultFiles": files}
	body, err := value.Encode(manifest)
	if err != nil {
		return nil, &failure{name: states.ResultWriterFailed, cause: err.Error()}
	}
	if err := store.PutObject(x.ctx, dr.bucket, dir+"manifest.json", body); err != nil {
		return nil, &failure{name: states.ResultWriterFailed, cause: err.Error()}
	}
	run.mu.Lock()
	run.items.ResultsWritten, run.execs.ResultsWritten = run.items.Succeeded+run.items.Failed+run.items.TimedOut+run.items.Aborted, written
	run.mu.Unlock()
	return map[string]any{
		"MapRunArn":           run.arn,
		"ResultWriterDetails": map[string]any{"Bucket": dr.bucket, "Key": dir + "manifest.json"},
	}, nil
}

// encodeResults encodes a ResultWriter file: a JSON array, or JSON Lines.
func encodeResults(list []any, outputType string) ([]byte, error) {
	if outputType != "JSONL" {
		return value.Encode(list)
	}
	var buf bytes.Buffer
	for _, v := range list {
		b, err := value.Encode(v)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// redriveRun redrives a Map Run that ended unsuccessful, as a redrive of
// its parent does on Step Functions: the children that succeeded keep
// their results, the others run again (a Standard child is redriven, an
// Express one started anew) and those never started start; the Map Run
// keeps its ARN and settings, counts its redrive and records
// MapRunRedriven. ok is false when the Map Run cannot be redriven here (it
// failed before it had children, or children still run): the state then
// starts a new Map Run.
func (x *Execution) redriveRun(f *frame, s *State, run *MapRun) (r step, ok bool) {
	run.mu.Lock()
	if !run.saved || run.children == nil || len(run.itemsOf) != len(run.children) || run.status == MapRunRunning || run.status == MapRunSucceeded {
		run.mu.Unlock()
		return step{}, false
	}
	children := append([]*Execution(nil), run.children...)
	for _, c := range children {
		if c != nil && !c.Done() {
			run.mu.Unlock()
			return step{}, false
		}
	}
	n := len(children)
	dr := &distRun{
		run: run, state: s, inputs: make([]any, n), itemsOf: run.itemsOf, results: make([]any, n),
		keep: make([]bool, n), redo: make([]*Execution, n), again: make([]bool, n),
		totalItems: run.items.Total, maxConc: run.maxConcurrency,
		tolCount: run.tolCount, tolPercent: run.tolPercent, hasCount: run.hasCount, hasPercent: run.hasPercent,
		bucket: run.bucket, prefix: run.prefix,
	}
	for i, c := range children {
		switch {
		case c != nil && c.Status() == StatusSucceeded:
			dr.keep[i] = true
			dr.settled++
			_, dr.results[i], _, _ = c.Result()
		case c != nil:
			dr.redo[i], dr.inputs[i], dr.again[i] = c, c.Input(), true
		default:
			// It could not start (again), or never started (pending).
			dr.inputs[i], dr.again[i] = run.inputs[i], i < run.launched
		}
	}
	run.recountLocked(true)
	run.status, run.stop = MapRunRunning, time.Time{}
	run.redriveCount++
	run.redriveDate = x.clk.Now()
	run.items.ResultsWritten, run.execs.ResultsWritten = 0, 0
	run.saved, run.inputs = false, nil
	run.updated = func() { x.post(func() { x.mapRunUpdated(f, dr) }) }
	count, length := run.redriveCount, run.items.Total
	run.mu.Unlock()
	f.run = dr
	x.mu.lock()
	known := false
	for _, r := range x.mapRuns {
		known = known || r == run
	}
	if !known {
		x.mapRuns = append(x.mapRuns, run)
	}
	x.mu.unlock()
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateStarted, Length: int32(length)})
	x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapRunRedriven, Resource: run.arn, RedriveCount: int32(count)})
	x.launchChildren(f, dr)
	return x.checkRun(f, dr), true
}

// redriveChild runs again a child execution that did not succeed: a
// Standard one is redriven from where it stopped, keeping its name and
// history; an Express one, or one whose history was not kept, starts anew
// under the same name with the same input.
func (x *Execution) redriveChild(dr *distRun, old *Execution, onDone func(*Execution)) (*Execution, error) {
	run := dr.run
	smName := strings.TrimPrefix(run.childMachine, x.engine.StateMachineARN(""))
	if !run.express {
		if events := old.Events(); len(events) > 0 {
			c, err := x.engine.Redrive(x.ctx, dr.state.Processor, RedriveOptions{
				Name: old.Name, StateMachineName: smName, Events: events, Mock: x.mock,
				MapRuns: old.MapRuns(), OnDone: onDone, mapRun: run,
			})
			if err == nil {
				return c, nil
			}
		}
	}
	return x.engine.Start(x.ctx, dr.state.Processor, StartOptions{
		Name: old.Name, Input: old.Input(), StateMachineName: smName, Mock: x.mock, mapRun: run, OnDone: onDone,
	})
}

// recountLocked counts again, from its children's statuses, the items and
// child executions of a Map Run that has ended (saved): those still
// running (a child ends a moment after the Map Run stops it), and by how
// they ended; one that could not start counts as failed, one never started
// as pending. For a redrive (redrive true), those that did not succeed
// count as pending a redrive instead. r.mu is held.
func (r *MapRun) recountLocked(redrive bool) {
	if !r.saved && !redrive || len(r.itemsOf) != len(r.children) {
		return
	}
	written := r.items.ResultsWritten
	ewritten := r.execs.ResultsWritten
	r.items = MapRunCounts{Total: r.items.Total, ResultsWritten: written}
	r.execs = MapRunCounts{Total: r.execs.Total, ResultsWritten: ewritten}
	for i, c := range r.children {
		k := int64(r.itemsOf[i])
		var ni, ne *int64
		st := StatusFailed
		if c != nil {
			st = c.Status()
		}
		switch {
		case c == nil && i >= r.launched:
			ni, ne = &r.items.Pending, &r.execs.Pending
		case st == StatusSucceeded:
			ni, ne = &r.items.Succeeded, &r.execs.Succeeded
		case redrive:
			ni, ne = &r.items.PendingRedrive, &r.execs.PendingRedrive
		case st == StatusRunning:
			ni, ne = &r.items.Running, &r.execs.Running
		case st == StatusTimedOut:
			ni, ne = &r.items.TimedOut, &r.execs.TimedOut
		case st == StatusAborted:
			ni, ne = &r.items.Aborted, &r.execs.Aborted
		default:
			ni, ne = &r.items.Failed, &r.execs.Failed
		}
		*ni += k
		*ne++
	}
}
