package executions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/input"
)

// StateMachine is a Step Functions state machine resolved from an ARN or
// name.
type StateMachine struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// Type is STANDARD or EXPRESS.
	Type string `json:"type"`
}

// Express reports an Express state machine, which keeps no history.
func (m StateMachine) Express() bool { return m.Type == string(types.StateMachineTypeExpress) }

// expressError explains why an Express state machine cannot be followed.
func expressError(field input.Field, name string) *input.Error {
	return input.Errorf(field, "%s is an Express state machine: Step Functions keeps no execution history for Express workflows "+
		"(GetExecutionHistory and DescribeExecution work for Standard ones only), so there is nothing to follow here; "+
		"read its executions in CloudWatch Logs (the state machine's logging configuration, level ALL) instead", name)
}

// parseARN splits an ARN into its six parts, the last keeping any colons.
func parseARN(s string) ([]string, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[3] == "" || parts[4] == "" {
		return nil, false
	}
	return parts, true
}

// CheckStateMachineRef checks a state machine's ARN or name without
// calling AWS.
func CheckStateMachineRef(ref string) error {
	const field = "state_machine"
	if ref == "" {
		return input.Errorf(field, "no state machine given").
			WithFix("pass its ARN or name, or select an environment that has one (%s)", input.Field("env"))
	}
	if strings.HasPrefix(ref, "arn:") {
		p, ok := parseARN(ref)
		if !ok || p[2] != "states" || !strings.HasPrefix(p[5], "stateMachine:") || !validExecutionName(strings.TrimPrefix(p[5], "stateMachine:")) {
			return input.Errorf(field, "%q is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", ref)
		}
		return nil
	}
	if !validExecutionName(ref) {
		return input.Errorf(field, "%q is not a state machine name: 1 to 80 characters without spaces, brackets, wildcards, quotes or : /", ref)
	}
	return nil
}

// validExecutionName applies Step Functions' naming rules for state
// machines and executions.
func validExecutionName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

// CheckRef checks a reference to an execution: its ARN, or an
// order id (the name of its execution).
func CheckRef(ref string) error {
	const field = "execution"
	if strings.HasPrefix(ref, "arn:") {
		p, ok := parseARN(ref)
		if !ok || p[2] != "states" || !(strings.HasPrefix(p[5], "execution:") || strings.HasPrefix(p[5], "express:")) ||
			strings.Count(p[5], ":") < 2 {
			return input.Errorf(field, "%q is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME); pass the ARN or the order id", ref)
		}
		return nil
	}
	if !validExecutionName(ref) {
		return input.Errorf(field, "%q is neither an execution ARN nor an order id (an order id such as ord_2vbm1gh5f8f8x names its execution)", ref)
	}
	return nil
}

// ResolveStateMachine finds a state machine by ARN or name and reads its
// type.
func ResolveStateMachine(ctx context.Context, c awsops.SFNAPI, ref string) (StateMachine, error) {
	const field = "state_machine"
	if err := CheckStateMachineRef(ref); err != nil {
		return StateMachine{}, err
	}
	arn := ref
	if !strings.HasPrefix(ref, "arn:") {
		var next *string
		arn = ""
		for arn == "" {
			out, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: next})
			if err != nil {
				return StateMachine{}, fmt.Errorf("listing state machines: %w", err)
			}
			for _, m := range out.StateMachines {
				if aws.ToString(m.Name) == ref {
					arn = aws.ToString(m.StateMachineArn)
				}
			}
			if next = out.NextToken; next == nil {
				break
			}
		}
		if arn == "" {
			return StateMachine{}, input.Errorf(field, "no state machine named %q in this account and region", ref).
				WithFix("check the name, %s and %s", input.Field("region"), input.Field("env"))
		}
	}
	out, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		if awsops.ErrorCode(err) == "StateMachineDoesNotExist" {
			return StateMachine{}, input.Errorf(field, "state machine %s does not exist", arn).
				WithFix("check the ARN, %s and %s", input.Field("region"), input.Field("env"))
		}
		return StateMachine{}, fmt.Errorf("describing %s: %w", arn, err)
	}
	return StateMachine{ARN: arn, Name: aws.ToString(out.Name), Type: string(out.Type)}, nil
}

// Execution is one saga execution as DescribeExecution or ListExecutions
// report it.
type Execution struct {
	ARN             string     `json:"executionArn"`
	Name            string     `json:"name"`
	StateMachineARN string     `json:"stateMachineArn"`
	Status          string     `json:"status"`
	StartDate       time.Time  `json:"startDate"`
	StopDate        *time.Time `json:"stopDate,omitempty"`
	Error           string     `json:"error,omitempty"`
	Cause           string     `json:"cause,omitempty"`
	Input           string     `json:"input,omitempty"`
	Output          string     `json:"output,omitempty"`
	RedriveCount    int32      `json:"redriveCount,omitempty"`
}

// Done reports whether the execution has ended.
func (x Execution) Done() bool {
	switch types.ExecutionStatus(x.Status) {
	case types.ExecutionStatusRunning, types.ExecutionStatusPendingRedrive, "":
		return false
	}
	return true
}

// Succeeded reports an execution that ended SUCCEEDED.
func (x Execution) Succeeded() bool { return x.Status == string(types.ExecutionStatusSucceeded) }

// Duration is the execution's run time so far (until now when running).
func (x Execution) Duration(now time.Time) time.Duration {
	end := now
	if x.StopDate != nil {
		end = *x.StopDate
	}
	if x.StartDate.IsZero() {
		return 0
	}
	return end.Sub(x.StartDate)
}

// ARN returns the ARN of the execution named name in the state
// machine: Step Functions builds it from the machine's ARN.
func ARN(stateMachineARN, name string) string {
	return strings.Replace(stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// stateMachineOfExecution returns the state machine ARN an execution ARN
// belongs to.
func stateMachineOfExecution(execARN string) string {
	p, ok := parseARN(execARN)
	if !ok {
		return ""
	}
	rest := p[5]
	kind, rest, _ := strings.Cut(rest, ":")
	if kind != "execution" && kind != "express" {
		return ""
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return ""
	}
	return strings.Join(p[:5], ":") + ":stateMachine:" + rest[:i]
}

// Resolve turns an execution ARN or an order id into the
// execution's description. An order id needs the state machine (an ARN or
// name in machineRef). An Express execution is an *ExpressError (an
// *input.Error explaining why Step Functions cannot describe it, and the
// machine whose logs can).
func Resolve(ctx context.Context, c awsops.SFNAPI, ref, machineRef string) (Execution, error) {
	if err := CheckRef(ref); err != nil {
		return Execution{}, err
	}
	arn := ref
	if strings.Contains(ref, ":express:") {
		e := &ExpressError{ARN: ref, err: expressError("execution", ref)}
		if machine, _, ok := expressMachine(ref); ok {
			e.Machine = StateMachine{ARN: machine, Name: machine[strings.LastIndexByte(machine, ':')+1:], Type: string(types.StateMachineTypeExpress)}
		}
		return Execution{}, e
	}
	if !strings.HasPrefix(ref, "arn:") {
		if machineRef == "" {
			return Execution{}, input.Errorf("state_machine", "%q is an order id", ref).
				WithFix("say which state machine runs it with %s ARN|NAME (or %s), or pass the execution ARN", input.Field("state_machine"), input.Field("env"))
		}
		m, err := ResolveStateMachine(ctx, c, machineRef)
		if err != nil {
			return Execution{}, err
		}
		if m.Express() {
			return Execution{}, &ExpressError{Machine: m, err: expressError("state_machine", m.Name)}
		}
		arn = ARN(m.ARN, ref)
	}
	x, err := Describe(ctx, c, arn)
	if err != nil {
		if awsops.ErrorCode(err) == "ExecutionDoesNotExist" {
			if !strings.HasPrefix(ref, "arn:") {
				return Execution{}, input.Errorf("execution", "no execution named %q in %s", ref, stateMachineOfExecution(arn)).
					WithFix("the order may not have reached the saga yet (is it in the dead-letter queue? try 'yafdp dlq peek')")
			}
			return Execution{}, input.Errorf("execution", "execution %s does not exist", arn).
				WithFix("check the ARN, %s and %s", input.Field("region"), input.Field("env"))
		}
		if awsops.ErrorCode(err) == "InvalidArn" {
			return Execution{}, input.Errorf("execution", "%s: %s", arn, awsops.ShortError(err))
		}
		return Execution{}, err
	}
	return x, nil
}

// Describe reads one execution.
func Describe(ctx context.Context, c awsops.SFNAPI, arn string) (Execution, error) {
	out, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return Execution{}, err
	}
	x := Execution{
		ARN:             aws.ToString(out.ExecutionArn),
		Name:            aws.ToString(out.Name),
		StateMachineARN: aws.ToString(out.StateMachineArn),
		Status:          string(out.Status),
		StartDate:       aws.ToTime(out.StartDate),
		StopDate:        out.StopDate,
		Error:           aws.ToString(out.Error),
		Cause:           aws.ToString(out.Cause),
		Input:           aws.ToString(out.Input),
		Output:          aws.ToString(out.Output),
		RedriveCount:    aws.ToInt32(out.RedriveCount),
	}
	if x.ARN == "" {
		x.ARN = arn
	}
	return x, nil
}

// Statuses are the values of ListExecutions' status filter.
func Statuses() []string {
	var out []string
	for _, s := range types.ExecutionStatus("").Values() {
		out = append(out, string(s))
	}
	return out
}

// ListOptions are the inputs of List.
type ListOptions struct {
	StateMachineARN string
	// Status filters by status when set (RUNNING, SUCCEEDED, ...).
	Status string
	// Since drops executions started before it (zero: no limit).
	Since time.Time
	// NamePrefix keeps executions whose name (order id) starts with it.
	NamePrefix string
	// Limit stops after this many executions (0: no limit).
	Limit int
	// PageSize is ListExecutions' maxResults (default 100, at most 1000).
	PageSize int32
}

// List pages through a state machine's executions, newest first,
// and stops at Limit or at the first one started before Since.
func List(ctx context.Context, c awsops.SFNAPI, opts ListOptions) ([]Execution, error) {
	page := opts.PageSize
	if page <= 0 {
		page = 100
	}
	if opts.Limit > 0 && int32(opts.Limit) < page && opts.NamePrefix == "" {
		page = int32(opts.Limit)
	}
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(opts.StateMachineARN), MaxResults: page}
	if opts.Status != "" {
		in.StatusFilter = types.ExecutionStatus(opts.Status)
	}
	var out []Execution
	for {
		res, err := c.ListExecutions(ctx, in)
		if err != nil {
			return out, err
		}
		for _, e := range res.Executions {
			x := Execution{
				ARN:             aws.ToString(e.ExecutionArn),
				Name:            aws.ToString(e.Name),
				StateMachineARN: aws.ToString(e.StateMachineArn),
				Status:          string(e.Status),
				StartDate:       aws.ToTime(e.StartDate),
				StopDate:        e.StopDate,
				RedriveCount:    aws.ToInt32(e.RedriveCount),
			}
			if !opts.Since.IsZero() && x.StartDate.Before(opts.Since) {
				// Newest first: everything after this is older still.
				return out, nil
			}
			if opts.NamePrefix != "" && !strings.HasPrefix(x.Name, opts.NamePrefix) {
				continue
			}
			out = append(out, x)
			if opts.Limit > 0 && len(out) >= opts.Limit {
				return out, nil
			}
		}
		if res.NextToken == nil {
			return out, nil
		}
		in.NextToken = res.NextToken
	}
}
