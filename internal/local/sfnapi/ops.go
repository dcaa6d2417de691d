package sfnapi

import "context"

// operations are the Step Functions operations served, each its request
// shape, its checks, its call and its answer (see op). Most checks are the
// service's own, made inside the call in the order AWS makes them, since
// the in-process methods (StartExecution, ...) make them too.
var operations = map[string]operation{
	"CreateStateMachine": op(nil, func(s *Service, _ context.Context, req *createStateMachineRequest) (*machine, *Error) {
		return s.createStateMachine(req)
	}, (*machine).creation),
	"DescribeStateMachine": op(func(req *stateMachineArnRequest) *Error { return checkIncludedData(req.IncludedData) },
		func(s *Service, _ context.Context, req *stateMachineArnRequest) (*machine, *Error) {
			return s.lookupMachine(req.StateMachineArn)
		}, (*machine).description),
	"ListStateMachines": op(nil, func(s *Service, _ context.Context, req *listRequest) (page[*machine], *Error) {
		return pageOf(s.listStateMachines(req.MaxResults, req.NextToken))
	}, listStateMachinesAnswer),
	"DeleteStateMachine": op(nil, func(s *Service, _ context.Context, req *stateMachineArnRequest) (struct{}, *Error) {
		return struct{}{}, s.deleteStateMachine(req.StateMachineArn)
	}, same),
	"StartExecution": op(nil, func(s *Service, _ context.Context, req *startExecutionRequest) (startExecutionOutput, *Error) {
		arn, start, err := s.startExecution(req, true)
		return startExecutionOutput{ExecutionArn: arn, StartDate: epoch(start)}, err
	}, same),
	"DescribeExecution": op(func(req *executionArnRequest) *Error { return checkIncludedData(req.IncludedData) },
		describeExecution, same),
	"ListExecutions": op(nil, func(s *Service, _ context.Context, req *listExecutionsRequest) (page[ExecutionInfo], *Error) {
		return pageOf(s.listExecutions(req))
	}, listExecutionsAnswer),
	"GetExecutionHistory": op(nil, getExecutionHistory, same),
	"RedriveExecution": op(nil, func(s *Service, _ context.Context, req *redriveExecutionRequest) (redriveExecutionOutput, *Error) {
		t, err := s.redriveExecution(req, true)
		return redriveExecutionOutput{RedriveDate: epoch(t)}, err
	}, same),
	"DescribeMapRun": op(nil, describeMapRun, same),
	"ListMapRuns":    op(nil, listMapRuns, same),
	"UpdateMapRun":   op(nil, updateMapRun, same),
	"StopExecution": op(nil, func(s *Service, ctx context.Context, req *stopExecutionRequest) (stopExecutionOutput, *Error) {
		t, err := s.stopExecution(ctx, req)
		return stopExecutionOutput{StopDate: epoch(t)}, err
	}, same),
	"DescribeStateMachineForExecution": op(func(req *executionArnRequest) *Error { return checkIncludedData(req.IncludedData) },
		func(s *Service, _ context.Context, req *executionArnRequest) (*machine, *Error) {
			e, _, err := s.lookupExecution(req.ExecutionArn)
			if err != nil {
				return nil, err
			}
			return e.m, nil
		}, (*machine).forExecution),
}

func checkIncludedData(s *string) *Error {
	var v validation
	v.enum("includedData", s, "ALL_DATA", "METADATA_ONLY")
	return v.err()
}

// page is one page of a listing, and the token of the next ("" after the
// last).
type page[T any] struct {
	items []T
	next  string
}

func pageOf[T any](items []T, next string, err *Error) (page[T], *Error) {
	return page[T]{items: items, next: next}, err
}

type creationOutput struct {
	StateMachineArn string `json:"stateMachineArn"`
	CreationDate    epoch  `json:"creationDate"`
}

func (m *machine) creation() creationOutput {
	return creationOutput{StateMachineArn: m.arn, CreationDate: epoch(m.created)}
}

type stateMachineArnRequest struct {
	StateMachineArn *string `json:"stateMachineArn"`
	IncludedData    *string `json:"includedData"`
}

type describeStateMachineOutput struct {
	StateMachineArn      string         `json:"stateMachineArn"`
	Name                 string         `json:"name"`
	Status               string         `json:"status"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	Type                 string         `json:"type"`
	CreationDate         epoch          `json:"creationDate"`
	LoggingConfiguration map[string]any `json:"loggingConfiguration"`
	TracingConfiguration map[string]any `json:"tracingConfiguration"`
}

func (m *machine) description() describeStateMachineOutput {
	return describeStateMachineOutput{StateMachineArn: m.arn, Name: m.name, Status: "ACTIVE", Definition: m.definition,
		RoleArn: m.roleARN, Type: m.typ, CreationDate: epoch(m.created), LoggingConfiguration: m.logging,
		TracingConfiguration: m.tracing}
}

type listRequest struct {
	MaxResults *int64  `json:"maxResults"`
	NextToken  *string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

type listStateMachinesOutput struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

func listStateMachinesAnswer(p page[*machine]) listStateMachinesOutput {
	out := listStateMachinesOutput{StateMachines: make([]stateMachineListItem, len(p.items)), NextToken: p.next}
	for i, m := range p.items {
		out.StateMachines[i] = stateMachineListItem{StateMachineArn: m.arn, Name: m.name, Type: m.typ, CreationDate: epoch(m.created)}
	}
	return out
}

type startExecutionOutput struct {
	ExecutionArn string `json:"executionArn"`
	StartDate    epoch  `json:"startDate"`
}

type executionArnRequest struct {
	ExecutionArn *string `json:"executionArn"`
	IncludedData *string `json:"includedData"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type executionListItem struct {
	ExecutionArn    string `json:"executionArn"`
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartDate       epoch  `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
	MapRunArn       string `json:"mapRunArn,omitempty"`
	// RedriveCount and RedriveDate are listed once the execution has been
	// redriven.
	RedriveCount *int   `json:"redriveCount,omitempty"`
	RedriveDate  *epoch `json:"redriveDate,omitempty"`
}

// describeExecutionOutput is a listed execution's members, then its data.
type describeExecutionOutput struct {
	executionListItem
	Input         *string      `json:"input,omitempty"`
	InputDetails  *dataDetails `json:"inputDetails,omitempty"`
	Output        *string      `json:"output,omitempty"`
	OutputDetails *dataDetails `json:"outputDetails,omitempty"`
	Error         string       `json:"error,omitempty"`
	Cause         string       `json:"cause,omitempty"`
	// The redrive members, as AWS answers them for a Standard execution:
	// the count even when zero, the reason only when NOT_REDRIVABLE.
	RedriveCountAll     int    `json:"redriveCount"`
	RedriveStatus       string `json:"redriveStatus"`
	RedriveStatusReason string `json:"redriveStatusReason,omitempty"`
}

// describeExecution describes an execution with its data unless the
// request asks for METADATA_ONLY.
func describeExecution(s *Service, _ context.Context, req *executionArnRequest) (describeExecutionOutput, *Error) {
	e, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return describeExecutionOutput{}, err
	}
	in := e.info(x)
	out := describeExecutionOutput{executionListItem: listItem(&in)}
	r := s.redriveOf(e, x)
	out.RedriveCount, out.RedriveCountAll = nil, r.count
	out.RedriveStatus, out.RedriveStatusReason = string(r.status), r.reason
	if req.IncludedData == nil || *req.IncludedData == "ALL_DATA" {
		out.Input, out.InputDetails = &in.Input, &dataDetails{Included: true}
		if in.Output != nil {
			out.Output, out.OutputDetails = in.Output, &dataDetails{Included: true}
		}
		out.Error, out.Cause = in.Error, in.Cause
	}
	return out, nil
}

type listExecutionsOutput struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

func listExecutionsAnswer(p page[ExecutionInfo]) listExecutionsOutput {
	out := listExecutionsOutput{Executions: make([]executionListItem, len(p.items)), NextToken: p.next}
	for i := range p.items {
		out.Executions[i] = listItem(&p.items[i])
	}
	return out
}

func listItem(in *ExecutionInfo) executionListItem {
	item := executionListItem{ExecutionArn: in.ARN, StateMachineArn: in.StateMachineARN, Name: in.Name,
		Status: string(in.Status), StartDate: epoch(in.Start), StopDate: epochPtr(in.Stop), MapRunArn: in.MapRunARN}
	if in.RedriveCount > 0 {
		n := in.RedriveCount
		item.RedriveCount, item.RedriveDate = &n, epochPtr(in.RedriveDate)
	}
	return item
}

type getExecutionHistoryOutput struct {
	Events    historyJSON `json:"events"`
	NextToken string      `json:"nextToken,omitempty"`
}

// getExecutionHistory answers one page of events, with their payloads
// unless the request leaves execution data out.
func getExecutionHistory(s *Service, _ context.Context, req *getExecutionHistoryRequest) (getExecutionHistoryOutput, *Error) {
	e, events, next, err := s.executionHistory(req)
	if err != nil {
		return getExecutionHistoryOutput{}, err
	}
	include := req.IncludeExecutionData == nil || *req.IncludeExecutionData
	out := getExecutionHistoryOutput{Events: make(historyJSON, len(events)), NextToken: next}
	for i := range events {
		out.Events[i] = wireEvent(&events[i], e.m.roleARN, include)
	}
	return out, nil
}

type stopExecutionOutput struct {
	StopDate epoch `json:"stopDate"`
}

type describeStateMachineForExecutionOutput struct {
	StateMachineArn      string         `json:"stateMachineArn"`
	Name                 string         `json:"name"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	UpdateDate           epoch          `json:"updateDate"`
	LoggingConfiguration map[string]any `json:"loggingConfiguration"`
	TracingConfiguration map[string]any `json:"tracingConfiguration"`
}

func (m *machine) forExecution() describeStateMachineForExecutionOutput {
	return describeStateMachineForExecutionOutput{StateMachineArn: m.arn, Name: m.name, Definition: m.definition,
		RoleArn: m.roleARN, UpdateDate: epoch(m.created), LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}
}
