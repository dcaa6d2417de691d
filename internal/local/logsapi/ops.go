package logsapi

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// operations are the CloudWatch Logs operations served.
var operations = map[string]operation{
	"CreateLogGroup":     op((*Store).createLogGroup),
	"DeleteLogGroup":     op((*Store).deleteLogGroup),
	"DescribeLogGroups":  op((*Store).describeLogGroups),
	"CreateLogStream":    op((*Store).createLogStream),
	"DescribeLogStreams": op((*Store).describeLogStreams),
	"PutLogEvents":       op((*Store).putLogEvents),
	"GetLogEvents":       op((*Store).getLogEvents),
	"FilterLogEvents":    op((*Store).filterLogEvents),
}

// Operations lists the operations served, sorted.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for k := range operations {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var groupNameRE = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)

type groupRequest struct {
	LogGroupName       *string `json:"logGroupName"`
	LogGroupIdentifier *string `json:"logGroupIdentifier"`
}

// groupName reads the log group a request names, by name or by
// identifier (a name or an ARN).
func (r *groupRequest) groupName() (string, *Error) {
	switch {
	case r.LogGroupName != nil && r.LogGroupIdentifier != nil:
		return "", newError(CodeInvalidParameter, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case r.LogGroupName != nil:
		return *r.LogGroupName, nil
	case r.LogGroupIdentifier != nil:
		id := *r.LogGroupIdentifier
		if i := strings.Index(id, ":log-group:"); strings.HasPrefix(id, "arn:") && i >= 0 {
			id = strings.TrimSuffix(id[i+len(":log-group:"):], ":*")
		}
		return id, nil
	}
	return "", errConstraint("logGroupName", nil, "Member must not be null")
}

func checkGroupName(name string) *Error {
	switch {
	case len(name) < 1:
		return errConstraint("logGroupName", name, "Member must have length greater than or equal to 1")
	case len(name) > 512:
		return errConstraint("logGroupName", name, "Member must have length less than or equal to 512")
	case !groupNameRE.MatchString(name):
		return errConstraint("logGroupName", name, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

func limitOf(n *int64, def, most int64) (int, *Error) {
	if n == nil {
		return int(def), nil
	}
	if *n < 1 {
		return 0, errConstraint("limit", *n, "Member must have value greater than or equal to 1")
	}
	if *n > most {
		return 0, errConstraint("limit", *n, fmt.Sprintf("Member must have value less than or equal to %d", most))
	}
	return int(*n), nil
}

// Page tokens are opaque to clients: base64 of what the listing resumes
// after.
func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(tok *string, scope string) (string, bool, *Error) {
	if tok == nil {
		return "", false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	rest, ok := strings.CutPrefix(string(b), scope+"\x00")
	if err != nil || !ok {
		return "", false, newError(CodeInvalidParameter, "The specified nextToken is invalid.")
	}
	return rest, true, nil
}

func (s *Store) createLogGroup(in *struct {
	LogGroupName  *string           `json:"logGroupName"`
	KmsKeyID      *string           `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
	LogGroupClass *string           `json:"logGroupClass"`
}) (any, *Error) {
	if in.LogGroupName == nil {
		return nil, errConstraint("logGroupName", nil, "Member must not be null")
	}
	if err := checkGroupName(*in.LogGroupName); err != nil {
		return nil, err
	}
	if err := s.CreateGroup(*in.LogGroupName); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Store) deleteLogGroup(in *struct {
	LogGroupName *string `json:"logGroupName"`
}) (any, *Error) {
	if in.LogGroupName == nil {
		return nil, errConstraint("logGroupName", nil, "Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[*in.LogGroupName]; !ok {
		return nil, errGroupNotFound()
	}
	delete(s.groups, *in.LogGroupName)
	return struct{}{}, nil
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int64 `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	ARN               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupARN       string `json:"logGroupArn"`
}

func (s *Store) describeLogGroups(in *struct {
	LogGroupNamePrefix *string `json:"logGroupNamePrefix"`
	Limit              *int64  `json:"limit"`
	NextToken          *string `json:"nextToken"`
}) (any, *Error) {
	n, err := limitOf(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	after, resumed, err := decodeToken(in.NextToken, "DescribeLogGroups")
	if err != nil {
		return nil, err
	}
	prefix := ""
	if in.LogGroupNamePrefix != nil {
		prefix = *in.LogGroupNamePrefix
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOut{}}
	for _, g := range s.sortedGroups(prefix) {
		if resumed && g.name <= after {
			continue
		}
		if len(out.LogGroups) == n {
			out.NextToken = encodeToken("DescribeLogGroups\x00" + out.LogGroups[n-1].LogGroupName)
			break
		}
		arn := s.GroupARN(g.name)
		out.LogGroups = append(out.LogGroups, logGroupOut{LogGroupName: g.name, CreationTime: g.created.UnixMilli(),
			RetentionInDays: g.retention, ARN: arn + ":*", StoredBytes: int64(g.bytes), LogGroupClass: "STANDARD", LogGroupARN: arn})
	}
	return out, nil
}

func (s *Store) createLogStream(in *struct {
	LogGroupName  *string `json:"logGroupName"`
	LogStreamName *string `json:"logStreamName"`
}) (any, *Error) {
	if in.LogGroupName == nil {
		return nil, errConstraint("logGroupName", nil, "Member must not be null")
	}
	if in.LogStreamName == nil {
		return nil, errConstraint("logStreamName", nil, "Member must not be null")
	}
	if err := checkStreamName(*in.LogStreamName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[*in.LogGroupName]
	if !ok {
		return nil, errGroupNotFound()
	}
	if _, ok := g.streams[*in.LogStreamName]; ok {
		return nil, errStreamExists()
	}
	g.streams[*in.LogStreamName] = &stream{name: *in.LogStreamName, created: s.clk.Now()}
	return struct{}{}, nil
}

func checkStreamName(name string) *Error {
	switch {
	case len(name) < 1:
		return errConstraint("logStreamName", name, "Member must have length greater than or equal to 1")
	case len(name) > 512:
		return errConstraint("logStreamName", name, "Member must have length less than or equal to 512")
	case strings.ContainsAny(name, ":*"):
		return errConstraint("logStreamName", name, "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	ARN                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

func ptr[T any](v T) *T { return &v }

func (s *Store) describeLogStreams(in *struct {
	groupRequest
	LogStreamNamePrefix *string `json:"logStreamNamePrefix"`
	OrderBy             *string `json:"orderBy"`
	Descending          *bool   `json:"descending"`
	Limit               *int64  `json:"limit"`
	NextToken           *string `json:"nextToken"`
}) (any, *Error) {
	name, err := in.groupName()
	if err != nil {
		return nil, err
	}
	n, err := limitOf(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	order := "LogStreamName"
	if in.OrderBy != nil {
		order = *in.OrderBy
	}
	if order != "LogStreamName" && order != "LastEventTime" {
		return nil, errConstraint("orderBy", order, "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	prefix := ""
	if in.LogStreamNamePrefix != nil {
		prefix = *in.LogStreamNamePrefix
	}
	if order == "LastEventTime" && prefix != "" {
		return nil, newError(CodeInvalidParameter, "Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	desc := in.Descending != nil && *in.Descending
	scope := fmt.Sprintf("DescribeLogStreams\x00%s\x00%s\x00%s\x00%t", name, prefix, order, desc)
	after, resumed, err := decodeToken(in.NextToken, scope)
	if err != nil {
		return nil, err
	}
	skip, _ := strconv.Atoi(after)
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return nil, errGroupNotFound()
	}
	var streams []*stream
	for _, st := range g.streams {
		if strings.HasPrefix(st.name, prefix) {
			streams = append(streams, st)
		}
	}
	sort.Slice(streams, func(i, j int) bool {
		a, b := streams[i], streams[j]
		if order == "LastEventTime" && !a.last.Equal(b.last) {
			return a.last.Before(b.last) != desc
		}
		return (a.name < b.name) != desc
	})
	if !resumed {
		skip = 0
	}
	out := struct {
		LogStreams []logStreamOut `json:"logStreams"`
		NextToken  string         `json:"nextToken,omitempty"`
	}{LogStreams: []logStreamOut{}}
	for i := min(skip, len(streams)); i < len(streams); i++ {
		if len(out.LogStreams) == n {
			out.NextToken = encodeToken(scope + "\x00" + strconv.Itoa(i))
			break
		}
		st := streams[i]
		o := logStreamOut{LogStreamName: st.name, CreationTime: st.created.UnixMilli(),
			ARN: s.GroupARN(g.name) + ":log-stream:" + st.name, StoredBytes: st.bytes}
		if st.puts > 0 {
			o.FirstEventTimestamp, o.LastEventTimestamp = ptr(st.first.UnixMilli()), ptr(st.last.UnixMilli())
			o.LastIngestionTime = ptr(st.ingested.UnixMilli())
			o.UploadSequenceToken = fmt.Sprintf("%056d", st.puts)
		}
		out.LogStreams = append(out.LogStreams, o)
	}
	return out, nil
}

func (s *Store) putLogEvents(in *struct {
	LogGroupName  *string      `json:"logGroupName"`
	LogStreamName *string      `json:"logStreamName"`
	LogEvents     []inputEvent `json:"logEvents"`
	SequenceToken *string      `json:"sequenceToken"`
}) (any, *Error) {
	switch {
	case in.LogGroupName == nil:
		return nil, errConstraint("logGroupName", nil, "Member must not be null")
	case in.LogStreamName == nil:
		return nil, errConstraint("logStreamName", nil, "Member must not be null")
	case len(in.LogEvents) == 0:
		return nil, errConstraint("logEvents", "[]", "Member must have length greater than or equal to 1")
	case len(in.LogEvents) > 10000:
		return nil, errConstraint("logEvents", len(in.LogEvents), "Member must have length less than or equal to 10000")
	}
	for i := 1; i < len(in.LogEvents); i++ {
		if in.LogEvents[i].Timestamp < in.LogEvents[i-1].Timestamp {
			return nil, newError(CodeInvalidParameter, "Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[*in.LogGroupName]
	if !ok {
		return nil, errGroupNotFound()
	}
	st, ok := g.streams[*in.LogStreamName]
	if !ok {
		return nil, errStreamNotFound()
	}
	s.append(g, st, in.LogEvents)
	return struct {
		NextSequenceToken string `json:"nextSequenceToken"`
	}{fmt.Sprintf("%056d", st.puts)}, nil
}

type outputEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// getLogEvents pages through one stream. Its tokens are "f/N" (the
// events after event N) and "b/N" (those before it), N an event number.
func (s *Store) getLogEvents(in *struct {
	groupRequest
	LogStreamName *string `json:"logStreamName"`
	StartTime     *int64  `json:"startTime"`
	EndTime       *int64  `json:"endTime"`
	NextToken     *string `json:"nextToken"`
	Limit         *int64  `json:"limit"`
	StartFromHead *bool   `json:"startFromHead"`
}) (any, *Error) {
	name, err := in.groupName()
	if err != nil {
		return nil, err
	}
	if in.LogStreamName == nil {
		return nil, errConstraint("logStreamName", nil, "Member must not be null")
	}
	n, err := limitOf(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	var dir byte
	var at uint64
	if in.NextToken != nil {
		t := *in.NextToken
		v, perr := strconv.ParseUint(strings.TrimLeft(t[min(2, len(t)):], "0"), 10, 64)
		if len(t) < 3 || t[1] != '/' || (t[0] != 'f' && t[0] != 'b') || perr != nil && strings.Trim(t[2:], "0") != "" {
			return nil, newError(CodeInvalidParameter, "The specified nextToken is invalid.")
		}
		dir, at = t[0], v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return nil, errGroupNotFound()
	}
	st, ok := g.streams[*in.LogStreamName]
	if !ok {
		return nil, errStreamNotFound()
	}
	var evs []*event
	for _, e := range g.events {
		if e.stream == st && (in.StartTime == nil || e.ts >= *in.StartTime) && (in.EndTime == nil || e.ts < *in.EndTime) {
			evs = append(evs, e)
		}
	}
	var page []*event
	head := in.StartFromHead != nil && *in.StartFromHead
	switch {
	case dir == 'f' || dir == 0 && head:
		i := sort.Search(len(evs), func(k int) bool { return evs[k].seq > at })
		page = evs[i:min(i+n, len(evs))]
	case dir == 'b':
		i := sort.Search(len(evs), func(k int) bool { return evs[k].seq >= at })
		page = evs[max(0, i-n):i]
	default:
		page = evs[max(0, len(evs)-n):]
	}
	out := struct {
		Events            []outputEvent `json:"events"`
		NextForwardToken  string        `json:"nextForwardToken"`
		NextBackwardToken string        `json:"nextBackwardToken"`
	}{Events: make([]outputEvent, len(page))}
	for i, e := range page {
		out.Events[i] = outputEvent{Timestamp: e.ts, Message: e.message, IngestionTime: e.ingested}
	}
	switch {
	case len(page) > 0:
		out.NextForwardToken = fmt.Sprintf("f/%056d", page[len(page)-1].seq)
		out.NextBackwardToken = fmt.Sprintf("b/%056d", page[0].seq)
	case in.NextToken != nil:
		// At either end the token asked for comes back, as on AWS.
		out.NextForwardToken, out.NextBackwardToken = *in.NextToken, *in.NextToken
	default:
		out.NextForwardToken, out.NextBackwardToken = fmt.Sprintf("f/%056d", s.seq), fmt.Sprintf("b/%056d", s.seq+1)
	}
	return out, nil
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// filterLogEvents returns a group's matching events in the order they were
// ingested; its token resumes after the last event returned, so a caller
// that polls with it sees each event once.
func (s *Store) filterLogEvents(in *struct {
	groupRequest
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix *string  `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       *string  `json:"filterPattern"`
	NextToken           *string  `json:"nextToken"`
	Limit               *int64   `json:"limit"`
	Interleaved         *bool    `json:"interleaved"`
	Unmask              *bool    `json:"unmask"`
}) (any, *Error) {
	name, err := in.groupName()
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, newError(CodeInvalidParameter, "You cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	n, err := limitOf(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	pat := &Pattern{}
	if in.FilterPattern != nil {
		p, perr := Compile(*in.FilterPattern)
		if perr != nil {
			return nil, newError(CodeInvalidParameter, "Invalid filter pattern: %v", perr)
		}
		pat = p
	}
	after, resumed, err := decodeToken(in.NextToken, "FilterLogEvents\x00"+name)
	if err != nil {
		return nil, err
	}
	var from uint64
	if resumed {
		from, _ = strconv.ParseUint(after, 10, 64)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return nil, errGroupNotFound()
	}
	var only map[*stream]bool
	if in.LogStreamNames != nil {
		only = map[*stream]bool{}
		for _, sn := range in.LogStreamNames {
			if st, ok := g.streams[sn]; ok {
				only[st] = true
			}
		}
	}
	out := struct {
		Events             []filteredEvent `json:"events"`
		SearchedLogStreams []struct{}      `json:"searchedLogStreams"`
		NextToken          string          `json:"nextToken,omitempty"`
	}{Events: []filteredEvent{}, SearchedLogStreams: []struct{}{}}
	i := sort.Search(len(g.events), func(k int) bool { return g.events[k].seq > from })
	for ; i < len(g.events); i++ {
		e := g.events[i]
		switch {
		case only != nil && !only[e.stream],
			in.LogStreamNamePrefix != nil && !strings.HasPrefix(e.stream.name, *in.LogStreamNamePrefix),
			in.StartTime != nil && e.ts < *in.StartTime,
			in.EndTime != nil && e.ts > *in.EndTime,
			!pat.Match(e.message):
			continue
		}
		if len(out.Events) == n {
			out.NextToken = encodeToken("FilterLogEvents\x00" + name + "\x00" + strconv.FormatUint(g.events[i-1].seq, 10))
			break
		}
		out.Events = append(out.Events, filteredEvent{LogStreamName: e.stream.name, Timestamp: e.ts, Message: e.message,
			IngestionTime: e.ingested, EventID: fmt.Sprintf("%056d", e.seq)})
	}
	return out, nil
}
