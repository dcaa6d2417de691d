package sfnapi

import (
	"context"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
)

// Distributed Map: the Map Runs of the service's executions and their child
// executions. The engine keeps them with the execution that started them;
// the service finds them from their ARNs, which name the parent's state
// machine: arn:...:mapRun:MACHINE/LABEL:ID for a Map Run and
// arn:...:execution:MACHINE/LABEL:NAME for a child.

// parentMachine finds the state machine named by the first part of a Map
// Run's or child's resource (MACHINE/LABEL), and the label.
func (s *Service) parentMachine(a arn) (*machine, string, bool) {
	machineName, label, ok := strings.Cut(a.resource[0], "/")
	if !ok || !validName(machineName) || !validName(label) {
		return nil, "", false
	}
	prefix := a.raw[:strings.Index(a.raw, ":"+a.typ+":")+1]
	s.mu.RLock()
	m, found := s.machines[s.local(prefix+"stateMachine:"+machineName)]
	s.mu.RUnlock()
	return m, label, found
}

// eachMapRun calls f with every Map Run of m's executions, oldest first,
// and of their child executions (a Distributed Map inside another), until
// it returns false. e is the execution of m the Map Run descends from.
func (m *machine) eachMapRun(f func(e *execution, r *asl.MapRun) bool) {
	m.mu.Lock()
	order := append([]*execution(nil), m.order...)
	m.mu.Unlock()
	var walk func(e *execution, x *asl.Execution) bool
	walk = func(e *execution, x *asl.Execution) bool {
		for _, r := range x.MapRuns() {
			if !f(e, r) {
				return false
			}
			for _, c := range r.Children() {
				if !walk(e, c) {
					return false
				}
			}
		}
		return true
	}
	for _, e := range order {
		x, ok := e.exec().(*asl.Execution)
		if !ok {
			continue // restored from the data directory: its Map Runs are gone
		}
		if !walk(e, x) {
			return
		}
	}
}

// lookupMapRun validates a Map Run ARN and finds the Map Run.
func (s *Service) lookupMapRun(field string, arnStr *string) (*execution, *asl.MapRun, *Error) {
	var v validation
	v.required(field, arnStr != nil)
	v.length(field, arnStr, 1, maxARNLength, false)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	a, err := parseARN(*arnStr)
	if err != nil {
		return nil, nil, err
	}
	if a.typ != "mapRun" {
		return nil, nil, errResourceType(a.typ)
	}
	if len(a.resource) != 2 {
		return nil, nil, newError(CodeInvalidArn, "Invalid Arn: '%s'", *arnStr)
	}
	m, _, ok := s.parentMachine(a)
	if !ok {
		return nil, nil, newError(CodeResourceNotFound, "Resource not found: '%s'", *arnStr)
	}
	var found *asl.MapRun
	var parent *execution
	m.eachMapRun(func(e *execution, r *asl.MapRun) bool {
		if r.ARN() == *arnStr {
			found, parent = r, e
			return false
		}
		return true
	})
	if found == nil {
		return nil, nil, newError(CodeResourceNotFound, "Resource not found: '%s'", *arnStr)
	}
	return parent, found, nil
}

// lookupChild finds a Map Run's child execution by its ARN
// (arn:...:execution:MACHINE/LABEL:NAME); ok is false for any other ARN.
func (s *Service) lookupChild(arnStr string) (e *execution, x *asl.Execution, ok bool) {
	a, err := parseARN(arnStr)
	if err != nil || a.typ != "execution" || len(a.resource) != 2 {
		return nil, nil, false
	}
	m, _, found := s.parentMachine(a)
	if !found {
		return nil, nil, false
	}
	childMachine := ":stateMachine:" + a.resource[0]
	m.eachMapRun(func(_ *execution, r *asl.MapRun) bool {
		if !strings.HasSuffix(r.ChildStateMachineARN(), childMachine) {
			return true
		}
		for _, c := range r.Children() {
			if c.Name == a.resource[1] {
				x = c
				return false
			}
		}
		return true
	})
	if x == nil {
		return nil, nil, false
	}
	in, _ := x.InputJSON()
	return &execution{m: m, arn: arnStr, name: x.Name, input: in, smARN: x.MapRun().ChildStateMachineARN(), mapRunARN: x.MapRun().ARN(), child: true}, x, true
}

// childInfos describes a Map Run's child executions, newest first, as
// ListExecutions lists them.
func childInfos(m *machine, r *asl.MapRun, filter asl.Status) []ExecutionInfo {
	kids := r.Children()
	out := make([]ExecutionInfo, 0, len(kids))
	for i := len(kids) - 1; i >= 0; i-- {
		c := kids[i]
		if filter != "" && c.Status() != filter {
			continue
		}
		in, _ := c.InputJSON()
		e := &execution{m: m, arn: c.ARN(), name: c.Name, input: in, smARN: r.ChildStateMachineARN(), mapRunARN: r.ARN(), child: true}
		out = append(out, e.info(c))
	}
	return out
}

type mapRunArnRequest struct {
	MapRunArn *string `json:"mapRunArn"`
}

type mapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

func countsOf(c asl.MapRunCounts) mapRunCounts {
	return mapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
		TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten, PendingRedrive: c.PendingRedrive}
}

type describeMapRunOutput struct {
	MapRunArn                  string       `json:"mapRunArn"`
	ExecutionArn               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  epoch        `json:"startDate"`
	StopDate                   *epoch       `json:"stopDate,omitempty"`
	MaxConcurrency             int          `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 mapRunCounts `json:"itemCounts"`
	ExecutionCounts            mapRunCounts `json:"executionCounts"`
	RedriveCount               int          `json:"redriveCount"`
	RedriveDate                *epoch       `json:"redriveDate,omitempty"`
}

func describeMapRun(s *Service, _ context.Context, req *mapRunArnRequest) (describeMapRunOutput, *Error) {
	_, r, err := s.lookupMapRun("mapRunArn", req.MapRunArn)
	if err != nil {
		return describeMapRunOutput{}, err
	}
	in := r.Describe()
	return describeMapRunOutput{MapRunArn: r.ARN(), ExecutionArn: r.ExecutionARN(), Status: string(in.Status),
		StartDate: epoch(r.StartDate()), StopDate: epochPtr(in.Stop), MaxConcurrency: in.MaxConcurrency,
		ToleratedFailurePercentage: in.ToleratedFailurePercentage, ToleratedFailureCount: in.ToleratedFailureCount,
		ItemCounts: countsOf(in.Items), ExecutionCounts: countsOf(in.Executions),
		RedriveCount: in.RedriveCount, RedriveDate: epochPtr(in.RedriveDate)}, nil
}

type listMapRunsRequest struct {
	ExecutionArn *string `json:"executionArn"`
	MaxResults   *int64  `json:"maxResults"`
	NextToken    *string `json:"nextToken"`
}

type mapRunListItem struct {
	ExecutionArn    string `json:"executionArn"`
	MapRunArn       string `json:"mapRunArn"`
	StateMachineArn string `json:"stateMachineArn"`
	StartDate       epoch  `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
}

type listMapRunsOutput struct {
	MapRuns   []mapRunListItem `json:"mapRuns"`
	NextToken string           `json:"nextToken,omitempty"`
}

// listMapRuns pages through an execution's Map Runs, in the order they
// started.
func listMapRuns(s *Service, _ context.Context, req *listMapRunsRequest) (listMapRunsOutput, *Error) {
	var v validation
	v.rangeOf("maxResults", req.MaxResults, 0, MaxPageSize)
	v.length("nextToken", req.NextToken, 1, MaxTokenLength, false)
	if err := v.err(); err != nil {
		return listMapRunsOutput{}, err
	}
	e, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return listMapRunsOutput{}, err
	}
	scope := "ListMapRuns|" + e.arn
	after, err := decodeToken(req.NextToken, scope)
	if err != nil {
		return listMapRunsOutput{}, err
	}
	out := listMapRunsOutput{MapRuns: []mapRunListItem{}}
	ax, ok := x.(*asl.Execution)
	if !ok {
		return out, nil // restored from the data directory: its Map Runs are gone
	}
	runs := ax.MapRuns()
	n := pageSize(req.MaxResults)
	for i := int(after); i < len(runs); i++ {
		if len(out.MapRuns) == n {
			out.NextToken = encodeToken(scope, uint64(i))
			break
		}
		r := runs[i]
		out.MapRuns = append(out.MapRuns, mapRunListItem{ExecutionArn: r.ExecutionARN(), MapRunArn: r.ARN(),
			StateMachineArn: r.ChildStateMachineARN(), StartDate: epoch(r.StartDate()), StopDate: epochPtr(r.Describe().Stop)})
	}
	return out, nil
}

// DescribeMapRun describes a Map Run in-process. Errors: InvalidArn,
// ResourceNotFound.
func (s *Service) DescribeMapRun(arn string) (*asl.MapRun, error) {
	_, r, err := s.lookupMapRun("mapRunArn", &arn)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// listChildren pages through a Map Run's child executions, newest first
// (ListExecutions with mapRunArn).
func (s *Service) listChildren(req *listExecutionsRequest) ([]ExecutionInfo, string, *Error) {
	parent, r, err := s.lookupMapRun("mapRunArn", req.MapRunArn)
	if err != nil {
		return nil, "", err
	}
	var filter asl.Status
	if req.StatusFilter != nil {
		filter = asl.Status(*req.StatusFilter)
	}
	scope := "ListExecutions|" + r.ARN() + "|" + string(filter)
	after, err := decodeToken(req.NextToken, scope)
	if err != nil {
		return nil, "", err
	}
	all := childInfos(parent.m, r, filter)
	start := min(int(after), len(all))
	page := all[start:]
	n := pageSize(req.MaxResults)
	if len(page) > n {
		return page[:n], encodeToken(scope, uint64(start+n)), nil
	}
	return page, "", nil
}

type updateMapRunRequest struct {
	MapRunArn                  *string  `json:"mapRunArn"`
	MaxConcurrency             *int64   `json:"maxConcurrency"`
	ToleratedFailureCount      *int64   `json:"toleratedFailureCount"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
}

// updateMapRun changes a running Map Run's concurrency and tolerances.
func updateMapRun(s *Service, _ context.Context, req *updateMapRunRequest) (struct{}, *Error) {
	var v validation
	v.required("mapRunArn", req.MapRunArn != nil)
	v.rangeOf("maxConcurrency", req.MaxConcurrency, 0, 1<<31-1)
	v.rangeOf("toleratedFailureCount", req.ToleratedFailureCount, 0, 1<<62)
	if p := req.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		return struct{}{}, newError(CodeValidationException, "1 validation error detected: Value '%v' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value between 0 and 100", *p)
	}
	if err := v.err(); err != nil {
		return struct{}{}, err
	}
	if req.MaxConcurrency == nil && req.ToleratedFailureCount == nil && req.ToleratedFailurePercentage == nil {
		return struct{}{}, newError(CodeValidationException, "At least one of the parameters maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified")
	}
	_, r, err := s.lookupMapRun("mapRunArn", req.MapRunArn)
	if err != nil {
		return struct{}{}, err
	}
	var maxConc *int
	if req.MaxConcurrency != nil {
		n := int(*req.MaxConcurrency)
		maxConc = &n
	}
	r.Update(maxConc, req.ToleratedFailureCount, req.ToleratedFailurePercentage)
	return struct{}{}, nil
}
