package eventsapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// TargetPrefix starts the X-Amz-Target header of every EventBridge call.
const TargetPrefix = "AWSEvents."

const maxBodyBytes = 1 << 20

// Error is an EventBridge error: its code (the __type) and message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The error codes the operations answer with.
const (
	CodeValidation        = "ValidationException"
	CodeResourceNotFound  = "ResourceNotFoundException"
	CodeInvalidPattern    = "InvalidEventPatternException"
	CodeLimitExceeded     = "LimitExceededException"
	CodeSerialization     = "SerializationException"
	CodeUnknownOperation  = "UnknownOperationException"
	CodeInternalException = "InternalException"
)

// Handler serves the bus over HTTP.
func (b *Bus) Handler() http.Handler { return http.HandlerFunc(b.serveHTTP) }

type operation func(b *Bus, body []byte) (any, *Error)

var operations = map[string]operation{
	"PutRule":           decoded(putRule),
	"DescribeRule":      decoded(describeRule),
	"DeleteRule":        decoded(deleteRule),
	"ListRules":         decoded(listRules),
	"PutTargets":        decoded(putTargets),
	"RemoveTargets":     decoded(removeTargets),
	"ListTargetsByRule": decoded(listTargetsByRule),
}

// Operations returns the names of the operations served.
func Operations() []string {
	return []string{"DeleteRule", "DescribeRule", "ListRules", "ListTargetsByRule", "PutRule", "PutTargets", "RemoveTargets"}
}

func decoded[In any](f func(b *Bus, in *In) (any, *Error)) operation {
	return func(b *Bus, body []byte) (any, *Error) {
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, errorf(CodeSerialization, "Start of structure or map found where not expected, or the request body is not valid JSON: %v", err)
			}
		}
		return f(b, in)
	}
}

func (b *Bus) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newUUID())
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	op := operations[name]
	if !ok || op == nil {
		writeError(w, errorf(CodeUnknownOperation, "yafdp local up serves these EventBridge operations: %s", strings.Join(Operations(), ", ")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, errorf(CodeSerialization, "reading the request: %v", err))
		return
	}
	if len(body) > maxBodyBytes {
		writeError(w, errorf(CodeValidation, "the request is larger than %d bytes", maxBodyBytes))
		return
	}
	out, e := op(b, body)
	if e != nil {
		writeError(w, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}

// validation collects the model's constraint failures in AWS's wording.
type validation []string

func (v *validation) required(field string, ok bool) {
	if !ok {
		*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
	}
}

var namePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)

func (v *validation) name(field string, s *string, maxLen int) {
	if s == nil {
		return
	}
	switch {
	case len(*s) < 1 || len(*s) > maxLen:
		*v = append(*v, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", *s, field, maxLen))
	case !namePattern.MatchString(*s):
		*v = append(*v, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", *s, field))
	}
}

func (v *validation) limit(field string, n *int, lo, hi int) {
	if n != nil && (*n < lo || *n > hi) {
		*v = append(*v, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value %s", *n, field,
			map[bool]string{true: "greater than or equal to " + strconv.Itoa(lo), false: "less than or equal to " + strconv.Itoa(hi)}[*n < lo]))
	}
}

func (v validation) err() *Error {
	if len(v) == 0 {
		return nil
	}
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return errorf(CodeValidation, "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

// bus checks an EventBusName: only the default bus is served.
func (b *Bus) checkBus(name *string) *Error {
	if name == nil || *name == "default" || *name == b.busARN() {
		return nil
	}
	n := *name
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	return errorf(CodeResourceNotFound, "Event bus %s does not exist.", n)
}

func (b *Bus) noRule(name string) *Error {
	return errorf(CodeResourceNotFound, "Rule %s does not exist on EventBus default.", name)
}

type putRuleInput struct {
	Name               *string
	ScheduleExpression *string
	EventPattern       *string
	State              *string
	Description        *string
	RoleArn            *string
	EventBusName       *string
	Tags               []map[string]string
}

func putRule(b *Bus, in *putRuleInput) (any, *Error) {
	var v validation
	v.required("name", in.Name != nil)
	v.name("name", in.Name, 64)
	if in.State != nil {
		switch *in.State {
		case "ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
		default:
			v = append(v, fmt.Sprintf("Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", *in.State))
		}
	}
	if in.Description != nil && len(*in.Description) > 512 {
		v = append(v, "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	if in.EventPattern != nil && len(*in.EventPattern) > 4096 {
		v = append(v, "Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if in.ScheduleExpression != nil {
		return nil, errorf(CodeValidation, "Parameter ScheduleExpression is not served by yafdp local up: it runs no scheduled rules")
	}
	if in.EventPattern == nil || *in.EventPattern == "" {
		return nil, errorf(CodeValidation, "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	p, err := CompilePattern(*in.EventPattern)
	if err != nil {
		return nil, errorf(CodeInvalidPattern, "%s", err.Error())
	}
	r := &rule{name: *in.Name, arn: b.ruleARN(*in.Name), pattern: *in.EventPattern, compiled: p, sources: patternSources(p), state: "ENABLED"}
	if in.State != nil {
		r.state = *in.State
	}
	if in.Description != nil {
		r.description = *in.Description
	}
	if in.RoleArn != nil {
		r.roleARN = *in.RoleArn
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.rules[r.name]
	if !ok && len(b.rules) >= MaxRulesPerBus {
		return nil, errorf(CodeLimitExceeded, "The requested resource exceeds the maximum number allowed.")
	}
	if ok {
		r.targets = old.targets
	}
	b.rules[r.name] = r
	b.recount()
	return map[string]string{"RuleArn": r.arn}, nil
}

type ruleNameInput struct {
	Name         *string
	EventBusName *string
	Force        bool
}

func (b *Bus) findRule(in *ruleNameInput) (*rule, *Error) {
	var v validation
	v.required("name", in.Name != nil)
	v.name("name", in.Name, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	b.mu.RLock()
	r, ok := b.rules[*in.Name]
	b.mu.RUnlock()
	if !ok {
		return nil, b.noRule(*in.Name)
	}
	return r, nil
}

type ruleOutput struct {
	Name         string
	Arn          string
	EventPattern string
	State        string
	Description  string `json:",omitempty"`
	RoleArn      string `json:",omitempty"`
	EventBusName string
	CreatedBy    string `json:",omitempty"`
}

func (b *Bus) ruleOut(r *rule, createdBy bool) ruleOutput {
	o := ruleOutput{Name: r.name, Arn: r.arn, EventPattern: r.pattern, State: r.state, Description: r.description, RoleArn: r.roleARN, EventBusName: "default"}
	if createdBy {
		o.CreatedBy = b.opts.Account
	}
	return o
}

func describeRule(b *Bus, in *ruleNameInput) (any, *Error) {
	r, err := b.findRule(in)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ruleOut(r, true), nil
}

func deleteRule(b *Bus, in *ruleNameInput) (any, *Error) {
	r, err := b.findRule(in)
	if err != nil {
		if err.Code == CodeResourceNotFound && strings.HasPrefix(err.Message, "Rule ") {
			return struct{}{}, nil // deleting a rule that does not exist succeeds
		}
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(r.targets) > 0 && !in.Force {
		return nil, errorf(CodeValidation, "Rule can't be deleted since it has targets.")
	}
	if b.rules[r.name] == r {
		delete(b.rules, r.name)
	}
	b.recount()
	return struct{}{}, nil
}

type listInput struct {
	NamePrefix   *string
	Rule         *string
	EventBusName *string
	NextToken    *string
	Limit        *int
}

func (in *listInput) page(n int) (start, end int, next string, err *Error) {
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	if in.NextToken != nil {
		s, perr := strconv.Atoi(*in.NextToken)
		if perr != nil || s < 0 || s > n {
			return 0, 0, "", errorf(CodeValidation, "The NextToken provided is invalid.")
		}
		start = s
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

func listRules(b *Bus, in *listInput) (any, *Error) {
	var v validation
	v.limit("limit", in.Limit, 1, 100)
	if in.NamePrefix != nil {
		v.name("namePrefix", in.NamePrefix, 64)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	prefix := ""
	if in.NamePrefix != nil {
		prefix = *in.NamePrefix
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	rules := b.sortedRules(prefix)
	start, end, next, err := in.page(len(rules))
	if err != nil {
		return nil, err
	}
	out := struct {
		Rules     []ruleOutput
		NextToken string `json:",omitempty"`
	}{Rules: []ruleOutput{}, NextToken: next}
	for _, r := range rules[start:end] {
		out.Rules = append(out.Rules, b.ruleOut(r, false))
	}
	return out, nil
}

type sqsParameters struct {
	MessageGroupId *string
}

type targetInput struct {
	Id               *string
	Arn              *string
	RoleArn          *string
	Input            *string
	InputPath        *string
	InputTransformer json.RawMessage
	SqsParameters    *sqsParameters
}

type putTargetsInput struct {
	Rule         *string
	EventBusName *string
	Targets      []targetInput
}

var arnPattern = regexp.MustCompile(`^arn:[\w\-]+:[\w\-]+:[\w\-]*:\d{0,12}:.+$`)

func putTargets(b *Bus, in *putTargetsInput) (any, *Error) {
	var v validation
	v.required("rule", in.Rule != nil)
	v.name("rule", in.Rule, 64)
	v.required("targets", in.Targets != nil)
	if in.Targets != nil && (len(in.Targets) < 1 || len(in.Targets) > 10) {
		v = append(v, "Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	for i, t := range in.Targets {
		v.required(fmt.Sprintf("targets.%d.member.id", i+1), t.Id != nil)
		v.name(fmt.Sprintf("targets.%d.member.id", i+1), t.Id, 64)
		v.required(fmt.Sprintf("targets.%d.member.arn", i+1), t.Arn != nil)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	var add []target
	for _, t := range in.Targets {
		if !arnPattern.MatchString(*t.Arn) {
			return nil, errorf(CodeValidation, "Parameter %s is not valid. Reason: Provided Arn is not in correct format.", *t.Arn)
		}
		if !strings.HasPrefix(*t.Arn, "arn:aws:sqs:") {
			return nil, errorf(CodeValidation, "Parameter %s is not valid. Reason: yafdp local up delivers events only to SQS queues.", *t.Arn)
		}
		if t.Input != nil || t.InputPath != nil || len(t.InputTransformer) > 0 {
			return nil, errorf(CodeValidation, "Target %s: Input, InputPath and InputTransformer are not served by yafdp local up; it delivers the whole event.", *t.Id)
		}
		tg := target{id: *t.Id, arn: *t.Arn}
		if strings.HasSuffix(tg.arn, ".fifo") {
			if t.SqsParameters == nil || t.SqsParameters.MessageGroupId == nil {
				return nil, errorf(CodeValidation, "Parameter(s) SqsParameters must be specified for target: %s.", tg.id)
			}
			tg.groupID = *t.SqsParameters.MessageGroupId
		}
		add = append(add, tg)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rules[*in.Rule]
	if !ok {
		return nil, b.noRule(*in.Rule)
	}
	targets := append([]target(nil), r.targets...)
	for _, t := range add {
		replaced := false
		for i := range targets {
			if targets[i].id == t.id {
				targets[i], replaced = t, true
			}
		}
		if !replaced {
			targets = append(targets, t)
		}
	}
	if len(targets) > MaxTargetsPerRule {
		return nil, errorf(CodeLimitExceeded, "The requested resource exceeds the maximum number allowed.")
	}
	// The slice is replaced, never changed in place: deliveries in
	// progress keep reading the one they took.
	r.targets = targets
	b.recount()
	return map[string]any{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

type removeTargetsInput struct {
	Rule         *string
	EventBusName *string
	Ids          []string
	Force        bool
}

func removeTargets(b *Bus, in *removeTargetsInput) (any, *Error) {
	var v validation
	v.required("rule", in.Rule != nil)
	v.name("rule", in.Rule, 64)
	v.required("ids", in.Ids != nil)
	if in.Ids != nil && (len(in.Ids) < 1 || len(in.Ids) > 100) {
		v = append(v, "Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rules[*in.Rule]
	if !ok {
		return nil, b.noRule(*in.Rule)
	}
	var kept []target
	for _, t := range r.targets {
		drop := false
		for _, id := range in.Ids {
			drop = drop || id == t.id
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	r.targets = kept
	b.recount()
	return map[string]any{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

type targetOutput struct {
	Id            string
	Arn           string
	SqsParameters *sqsParameters `json:",omitempty"`
}

func listTargetsByRule(b *Bus, in *listInput) (any, *Error) {
	var v validation
	v.required("rule", in.Rule != nil)
	v.name("rule", in.Rule, 64)
	v.limit("limit", in.Limit, 1, 100)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.rules[*in.Rule]
	if !ok {
		return nil, b.noRule(*in.Rule)
	}
	start, end, next, err := in.page(len(r.targets))
	if err != nil {
		return nil, err
	}
	out := struct {
		Targets   []targetOutput
		NextToken string `json:",omitempty"`
	}{Targets: []targetOutput{}, NextToken: next}
	for _, t := range r.targets[start:end] {
		o := targetOutput{Id: t.id, Arn: t.arn}
		if t.groupID != "" {
			g := t.groupID
			o.SqsParameters = &sqsParameters{MessageGroupId: &g}
		}
		out.Targets = append(out.Targets, o)
	}
	return out, nil
}
