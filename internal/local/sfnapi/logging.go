package sfnapi

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsjson"
)

// LogSink is where executions of a state machine with a
// LoggingConfiguration write their events: CloudWatch Logs (local up's
// logsapi.Store).
type LogSink interface {
	// LogGroupExists reports whether a log group exists;
	// CreateStateMachine refuses a destination that does not.
	LogGroupExists(name string) bool
	// PutLogEvent appends one event to a stream of a log group, creating
	// the stream when it is missing.
	PutLogEvent(group, stream string, t time.Time, message string) error
}

// CodeInvalidLoggingConfiguration is CreateStateMachine's error for a
// LoggingConfiguration that cannot be used.
const CodeInvalidLoggingConfiguration = "InvalidLoggingConfiguration"

// logConfig is a state machine's LoggingConfiguration, read.
type logConfig struct {
	level   string // ALL, ERROR or FATAL
	include bool   // includeExecutionData
	group   string // the destination's log group name
}

// readLogging reads a LoggingConfiguration as CreateStateMachine takes it.
// It returns nil (and no error) for level OFF.
func readLogging(cfg map[string]any) (*logConfig, *Error) {
	if cfg == nil {
		return nil, nil
	}
	level, _ := cfg["level"].(string)
	if level == "" {
		level = "OFF"
	}
	var v validation
	v.enum("loggingConfiguration.level", &level, "ALL", "ERROR", "FATAL", "OFF")
	if err := v.err(); err != nil {
		return nil, err
	}
	dests, _ := cfg["destinations"].([]any)
	if level == "OFF" {
		return nil, nil
	}
	// The wording LocalStack uses for a missing or unusable destination;
	// no recording of AWS's answer to one is at hand.
	notFound := newError(CodeInvalidLoggingConfiguration, "Invalid Logging Configuration: Log Destination not found.")
	if len(dests) != 1 {
		return nil, notFound
	}
	d, _ := dests[0].(map[string]any)
	lg, _ := d["cloudWatchLogsLogGroup"].(map[string]any)
	arn, _ := lg["logGroupArn"].(string)
	_, rest, ok := strings.Cut(arn, ":log-group:")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return nil, notFound
	}
	group, _, _ := strings.Cut(rest, ":")
	include, _ := cfg["includeExecutionData"].(bool)
	return &logConfig{level: level, include: include, group: group}, nil
}

// checkLogging checks a new machine's LoggingConfiguration against the
// sink: its log group must exist.
func (s *Service) checkLogging(cfg map[string]any) *Error {
	lc, err := readLogging(cfg)
	if err != nil || lc == nil || s.opts.Logs == nil {
		return err
	}
	if !s.opts.Logs.LogGroupExists(lc.group) {
		return newError(CodeInvalidLoggingConfiguration, "Invalid Logging Configuration: Log Destination not found.")
	}
	return nil
}

// logObserver returns what writes an execution's events to its machine's
// log group, or nil when the machine does not log (or there is no sink).
func (s *Service) logObserver(m *machine, executionARN string, start time.Time) asl.Observer {
	if s.opts.Logs == nil {
		return nil
	}
	lc, err := readLogging(m.logging)
	if err != nil || lc == nil {
		return nil
	}
	return &executionLog{sink: s.opts.Logs, cfg: *lc, arn: executionARN, role: m.roleARN, stream: LogStreamName(m.name, start)}
}

// LogStreamName is the log stream an execution of a machine started at t
// writes to: states/MACHINE/YYYY-MM-DD-HH-MM/ID, one stream a minute, ID
// eight hex digits fixed for the machine. Step Functions documents no
// stream naming; this follows the form its streams have.
func LogStreamName(machineName string, t time.Time) string {
	h := fnv.New32a()
	h.Write([]byte(machineName))
	return fmt.Sprintf("states/%s/%s/%08x", machineName, t.UTC().Format("2006-01-02-15-04"), h.Sum32())
}

// executionLog writes one execution's events.
type executionLog struct {
	sink   LogSink
	cfg    logConfig
	arn    string
	role   string
	stream string
}

// Event writes an event that the level logs. Delivery is best effort, as
// on AWS: an event that cannot be written (its group was deleted) is lost.
func (l *executionLog) Event(x *asl.Execution, e *asl.HistoryEvent) {
	if !logged(l.cfg.level, e.Type) {
		return
	}
	msg, err := LogRecord(e, l.arn, l.role, l.cfg.include, x.RedriveCount())
	if err != nil {
		return
	}
	_ = l.sink.PutLogEvent(l.cfg.group, l.stream, e.Timestamp, msg)
}

// The event types logged at levels ERROR and FATAL (ALL logs every event),
// from Step Functions' "Log levels" table.
var (
	errorLevelEvents = map[types.HistoryEventType]bool{
		types.HistoryEventTypeExecutionAborted: true, types.HistoryEventTypeExecutionFailed: true,
		types.HistoryEventTypeExecutionTimedOut: true, types.HistoryEventTypeFailStateEntered: true,
		types.HistoryEventTypeLambdaFunctionFailed: true, types.HistoryEventTypeLambdaFunctionScheduleFailed: true,
		types.HistoryEventTypeLambdaFunctionStartFailed: true, types.HistoryEventTypeLambdaFunctionTimedOut: true,
		types.HistoryEventTypeMapStateAborted: true, types.HistoryEventTypeMapStateFailed: true,
		types.HistoryEventTypeMapIterationAborted: true, types.HistoryEventTypeMapIterationFailed: true,
		types.HistoryEventTypeMapRunAborted: true, types.HistoryEventTypeMapRunFailed: true,
		types.HistoryEventTypeParallelStateAborted: true, types.HistoryEventTypeParallelStateFailed: true,
		types.HistoryEventTypeTaskFailed: true, types.HistoryEventTypeTaskStartFailed: true,
		types.HistoryEventTypeTaskStateAborted: true, types.HistoryEventTypeTaskSubmitFailed: true,
		types.HistoryEventTypeTaskTimedOut: true, types.HistoryEventTypeWaitStateAborted: true,
	}
	fatalLevelEvents = map[types.HistoryEventType]bool{
		types.HistoryEventTypeExecutionAborted: true, types.HistoryEventTypeExecutionFailed: true,
		types.HistoryEventTypeExecutionTimedOut: true,
	}
)

func logged(level string, t types.HistoryEventType) bool {
	switch level {
	case "ALL":
		return true
	case "ERROR":
		return errorLevelEvents[t]
	case "FATAL":
		return fatalLevelEvents[t]
	}
	return false
}

// detailFields are the indexes of types.HistoryEvent's details members:
// an event sets one of them.
var detailFields = func() []int {
	t := reflect.TypeFor[types.HistoryEvent]()
	var out []int
	for i := range t.NumField() {
		if strings.HasSuffix(t.Field(i).Name, "EventDetails") {
			out = append(out, i)
		}
	}
	return out
}()

// LogRecord encodes an event as Step Functions logs it, its members in
// Step Functions' order, every one a string but details: id, type,
// details (the event's details member of GetExecutionHistory, its input
// and output left out without includeExecutionData), previous_event_id,
// event_timestamp (epoch milliseconds), execution_arn, redrive_count (the
// execution's redrives so far).
func LogRecord(e *asl.HistoryEvent, executionARN, roleARN string, include bool, redriveCount int) (string, error) {
	ev := wireEvent(e, roleARN, include)
	if p, ok := payloadOf(&ev); ok && *p.data != nil {
		if cut, truncated := truncatePayload(**p.data, MaxLoggedPayload); truncated {
			*p.data = &cut
			*p.details = &types.HistoryEventExecutionDataDetails{Truncated: true}
		}
	}
	var buf bytes.Buffer
	buf.Grow(256)
	b := buf.AvailableBuffer()
	b = append(b, `{"id":"`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `","type":`...)
	b = awsjson.AppendString(b, string(e.Type))
	b = append(b, `,"details":`...)
	buf.Write(b)
	v := reflect.ValueOf(&ev).Elem()
	found := false
	for _, i := range detailFields {
		if f := v.Field(i); !f.IsNil() {
			awsjson.Append(&buf, f.Interface(), awsjson.Epoch)
			found = true
			break
		}
	}
	if !found {
		buf.WriteString("{}")
	}
	b = buf.AvailableBuffer()
	b = append(b, `,"previous_event_id":"`...)
	b = strconv.AppendInt(b, e.PreviousEventID, 10)
	b = append(b, `","event_timestamp":"`...)
	b = strconv.AppendInt(b, e.Timestamp.UnixMilli(), 10)
	b = append(b, `","execution_arn":`...)
	b = awsjson.AppendString(b, executionARN)
	b = append(b, `,"redrive_count":"`...)
	b = strconv.AppendInt(b, int64(redriveCount), 10)
	b = append(b, `"}`...)
	buf.Write(b)
	return buf.String(), nil
}

// MaxLoggedPayload is the most a logged input or output takes, JSON-escaped,
// as Step Functions documents it: a longer one is cut there and its
// inputDetails or outputDetails say truncated.
const MaxLoggedPayload = 248 << 10

// truncatePayload cuts s, at a character boundary, so that its JSON-escaped
// form takes at most max bytes.
func truncatePayload(s string, max int) (string, bool) {
	if len(s) <= max/6 {
		return s, false // even escaped at six bytes a byte it fits
	}
	n := 0
	for i, r := range s {
		var w int
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t' || r == '\b' || r == '\f':
			w = 2
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			w = 6
		case r == utf8.RuneError:
			w = 3
		default:
			w = utf8.RuneLen(r)
		}
		if n+w > max {
			return s[:i], true
		}
		n += w
	}
	return s, false
}
