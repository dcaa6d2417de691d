package sfnapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
)

// TargetPrefix starts the X-Amz-Target header of every Step Functions call.
const TargetPrefix = "AWSStepFunctions."

// maxBodyBytes bounds a request body: a 1 MiB definition, JSON-escaped,
// fits with room to spare.
const maxBodyBytes = 8 << 20

// Handler serves the AWS JSON 1.0 protocol the Step Functions SDKs and the
// aws CLI speak: POST / with X-Amz-Target: AWSStepFunctions.<Operation>.
// Errors are HTTP 400 with {"__type": "...#<Code>", "message": "..."}, which
// the SDKs turn into their typed errors.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// operation handles one operation's request body.
type operation func(s *Service, ctx context.Context, body []byte) (any, *Error)

var operations = map[string]operation{
	"CreateStateMachine":               opCreateStateMachine,
	"DescribeStateMachine":             opDescribeStateMachine,
	"ListStateMachines":                opListStateMachines,
	"DeleteStateMachine":               opDeleteStateMachine,
	"StartExecution":                   opStartExecution,
	"DescribeExecution":                opDescribeExecution,
	"ListExecutions":                   opListExecutions,
	"GetExecutionHistory":              opGetExecutionHistory,
	"StopExecution":                    opStopExecution,
	"DescribeStateMachineForExecution": opDescribeStateMachineForExecution,
}

// Operations lists the operations the handler serves, sorted.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for op := range operations {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newUUID())
	target := r.Header.Get("X-Amz-Target")
	op, ok := operations[strings.TrimPrefix(target, TargetPrefix)]
	if r.Method != http.MethodPost || !strings.HasPrefix(target, TargetPrefix) || !ok {
		writeError(w, newError(CodeUnknownOperation, "Operation %q is not served here", target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, newError(CodeSerializationException, "the request body is larger than %d bytes", maxBodyBytes))
			return
		}
		writeError(w, newError(CodeSerializationException, "reading the request: %v", err))
		return
	}
	out, e := op(s, r.Context(), body)
	if e != nil {
		writeError(w, e)
		return
	}
	b, merr := marshal(out)
	if merr != nil {
		writeError(w, newError(CodeInternalFailure, "encoding the response: %v", merr))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	b, _ := marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.wireType(), e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.httpStatus())
	_, _ = w.Write(b)
}

// decode reads a request body into its request type. An empty body is an
// empty request; anything that is not one JSON object of the right member
// types is a SerializationException.
func decode[T any](body []byte) (*T, *Error) {
	req := new(T)
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(req); err != nil {
		return nil, newError(CodeSerializationException, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newError(CodeSerializationException, "unexpected data after the request object")
	}
	return req, nil
}

type creationOutput struct {
	StateMachineArn string `json:"stateMachineArn"`
	CreationDate    epoch  `json:"creationDate"`
}

func opCreateStateMachine(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[createStateMachineRequest](body)
	if err != nil {
		return nil, err
	}
	m, err := s.createStateMachine(req)
	if err != nil {
		return nil, err
	}
	return creationOutput{StateMachineArn: m.arn, CreationDate: epoch(m.created)}, nil
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

func opDescribeStateMachine(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[stateMachineArnRequest](body)
	if err != nil {
		return nil, err
	}
	if err := checkIncludedData(req.IncludedData); err != nil {
		return nil, err
	}
	m, err := s.lookupMachine(req.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return describeStateMachineOutput{StateMachineArn: m.arn, Name: m.name, Status: "ACTIVE", Definition: m.definition,
		RoleArn: m.roleARN, Type: m.typ, CreationDate: epoch(m.created), LoggingConfiguration: m.logging,
		TracingConfiguration: m.tracing}, nil
}

func checkIncludedData(s *string) *Error {
	var v validation
	v.enum("includedData", s, "ALL_DATA", "METADATA_ONLY")
	return v.err()
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

func opListStateMachines(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[listRequest](body)
	if err != nil {
		return nil, err
	}
	ms, next, err := s.listStateMachines(req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	out := listStateMachinesOutput{StateMachines: make([]stateMachineListItem, len(ms)), NextToken: next}
	for i, m := range ms {
		out.StateMachines[i] = stateMachineListItem{StateMachineArn: m.arn, Name: m.name, Type: m.typ, CreationDate: epoch(m.created)}
	}
	return out, nil
}

func opDeleteStateMachine(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[stateMachineArnRequest](body)
	if err != nil {
		return nil, err
	}
	if err := s.deleteStateMachine(req.StateMachineArn); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type startExecutionOutput struct {
	ExecutionArn string `json:"executionArn"`
	StartDate    epoch  `json:"startDate"`
}

func opStartExecution(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[startExecutionRequest](body)
	if err != nil {
		return nil, err
	}
	arn, start, err := s.startExecution(req, true)
	if err != nil {
		return nil, err
	}
	return startExecutionOutput{ExecutionArn: arn, StartDate: epoch(start)}, nil
}

type executionArnRequest struct {
	ExecutionArn *string `json:"executionArn"`
	IncludedData *string `json:"includedData"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type describeExecutionOutput struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       epoch        `json:"startDate"`
	StopDate        *epoch       `json:"stopDate,omitempty"`
	Input           *string      `json:"input,omitempty"`
	InputDetails    *dataDetails `json:"inputDetails,omitempty"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
}

func opDescribeExecution(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[executionArnRequest](body)
	if err != nil {
		return nil, err
	}
	if err := checkIncludedData(req.IncludedData); err != nil {
		return nil, err
	}
	e, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return nil, err
	}
	in := e.info(x)
	out := describeExecutionOutput{ExecutionArn: in.ARN, StateMachineArn: in.StateMachineARN, Name: in.Name,
		Status: string(in.Status), StartDate: epoch(in.Start), StopDate: epochPtr(in.Stop)}
	if req.IncludedData == nil || *req.IncludedData == "ALL_DATA" {
		out.Input, out.InputDetails = &in.Input, &dataDetails{Included: true}
		if in.Output != nil {
			out.Output, out.OutputDetails = in.Output, &dataDetails{Included: true}
		}
		out.Error, out.Cause = in.Error, in.Cause
	}
	return out, nil
}

type executionListItem struct {
	ExecutionArn    string `json:"executionArn"`
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartDate       epoch  `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
}

type listExecutionsOutput struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

func opListExecutions(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[listExecutionsRequest](body)
	if err != nil {
		return nil, err
	}
	xs, next, err := s.listExecutions(req)
	if err != nil {
		return nil, err
	}
	out := listExecutionsOutput{Executions: make([]executionListItem, len(xs)), NextToken: next}
	for i, in := range xs {
		out.Executions[i] = executionListItem{ExecutionArn: in.ARN, StateMachineArn: in.StateMachineARN, Name: in.Name,
			Status: string(in.Status), StartDate: epoch(in.Start), StopDate: epochPtr(in.Stop)}
	}
	return out, nil
}

type getExecutionHistoryOutput struct {
	Events    historyJSON `json:"events"`
	NextToken string      `json:"nextToken,omitempty"`
}

func opGetExecutionHistory(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[getExecutionHistoryRequest](body)
	if err != nil {
		return nil, err
	}
	e, page, next, err := s.executionHistory(req)
	if err != nil {
		return nil, err
	}
	include := req.IncludeExecutionData == nil || *req.IncludeExecutionData
	out := getExecutionHistoryOutput{Events: make(historyJSON, len(page)), NextToken: next}
	for i := range page {
		out.Events[i] = wireEvent(&page[i], e.m.roleARN, include)
	}
	return out, nil
}

type stopExecutionOutput struct {
	StopDate epoch `json:"stopDate"`
}

func opStopExecution(s *Service, ctx context.Context, body []byte) (any, *Error) {
	req, err := decode[stopExecutionRequest](body)
	if err != nil {
		return nil, err
	}
	t, err := s.stopExecution(ctx, req)
	if err != nil {
		return nil, err
	}
	return stopExecutionOutput{StopDate: epoch(t)}, nil
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

func opDescribeStateMachineForExecution(s *Service, _ context.Context, body []byte) (any, *Error) {
	req, err := decode[executionArnRequest](body)
	if err != nil {
		return nil, err
	}
	if err := checkIncludedData(req.IncludedData); err != nil {
		return nil, err
	}
	e, _, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return nil, err
	}
	m := e.m
	return describeStateMachineForExecutionOutput{StateMachineArn: m.arn, Name: m.name, Definition: m.definition,
		RoleArn: m.roleARN, UpdateDate: epoch(m.created), LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}, nil
}
