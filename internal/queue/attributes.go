package queue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The queue attribute names.
const (
	AttrAll                                   = "All"
	AttrApproximateNumberOfMessages           = "ApproximateNumberOfMessages"
	AttrApproximateNumberOfMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible"
	AttrApproximateNumberOfMessagesDelayed    = "ApproximateNumberOfMessagesDelayed"
	AttrCreatedTimestamp                      = "CreatedTimestamp"
	AttrLastModifiedTimestamp                 = "LastModifiedTimestamp"
	AttrQueueArn                              = "QueueArn"
	AttrDelaySeconds                          = "DelaySeconds"
	AttrMaximumMessageSize                    = "MaximumMessageSize"
	AttrMessageRetentionPeriod                = "MessageRetentionPeriod"
	AttrReceiveMessageWaitTimeSeconds         = "ReceiveMessageWaitTimeSeconds"
	AttrVisibilityTimeout                     = "VisibilityTimeout"
	AttrPolicy                                = "Policy"
	AttrRedrivePolicy                         = "RedrivePolicy"
	AttrRedriveAllowPolicy                    = "RedriveAllowPolicy"
	AttrKmsMasterKeyID                        = "KmsMasterKeyId"
	AttrKmsDataKeyReusePeriodSeconds          = "KmsDataKeyReusePeriodSeconds"
	AttrSqsManagedSseEnabled                  = "SqsManagedSseEnabled"
	AttrFifoQueue                             = "FifoQueue"
	AttrContentBasedDeduplication             = "ContentBasedDeduplication"
	AttrDeduplicationScope                    = "DeduplicationScope"
	AttrFifoThroughputLimit                   = "FifoThroughputLimit"
)

// The defaults of a new queue, as AWS documents them.
const (
	DefaultVisibilityTimeout      = 30
	DefaultMessageRetentionPeriod = 4 * 24 * 3600
	DefaultMaximumMessageSize     = MaxMessageBytes
)

// config is a queue's settable attributes. A queue holds it behind an atomic
// pointer and replaces it whole, so readers never lock.
type config struct {
	delay        int // seconds
	maxSize      int // bytes
	retention    int // seconds
	wait         int // seconds
	visibility   int // seconds
	policy       string
	redrive      *redrivePolicy
	redriveAllow *redriveAllowPolicy
	kmsKey       string
	kmsReuse     int
	sseManaged   bool
	contentDedup bool
	dedupScope   string
	throughput   string
}

// redrivePolicy is a RedrivePolicy: where dead letters go and after how
// many receives.
type redrivePolicy struct {
	TargetARN       string
	MaxReceiveCount int
}

// redriveAllowPolicy is a RedriveAllowPolicy: which queues may use this one
// as their dead-letter queue.
type redriveAllowPolicy struct {
	Permission string // allowAll, denyAll or byQueue
	SourceARNs []string
}

func defaultConfig() config {
	return config{
		maxSize:    DefaultMaximumMessageSize,
		retention:  DefaultMessageRetentionPeriod,
		visibility: DefaultVisibilityTimeout,
		kmsReuse:   300,
		sseManaged: true,
		dedupScope: "queue",
		throughput: "perQueue",
	}
}

// intAttr is the range of an integer attribute.
type intAttr struct {
	lo, hi int
	field  func(*config) *int
}

var intAttrs = map[string]intAttr{
	AttrDelaySeconds:                  {0, 900, func(c *config) *int { return &c.delay }},
	AttrMaximumMessageSize:            {1024, MaxMessageBytes, func(c *config) *int { return &c.maxSize }},
	AttrMessageRetentionPeriod:        {60, 14 * 24 * 3600, func(c *config) *int { return &c.retention }},
	AttrReceiveMessageWaitTimeSeconds: {0, 20, func(c *config) *int { return &c.wait }},
	AttrVisibilityTimeout:             {0, 12 * 3600, func(c *config) *int { return &c.visibility }},
	AttrKmsDataKeyReusePeriodSeconds:  {60, 86400, func(c *config) *int { return &c.kmsReuse }},
}

func unknownAttribute(name string) *Error {
	return errorf(ErrInvalidAttributeName, "Unknown Attribute %s.", name)
}

func invalidAttribute(name string) *Error {
	return errorf(ErrInvalidAttributeValue, "Invalid value for the parameter %s.", name)
}

// parseAttributes applies attrs to base and returns the result. Names are
// checked in sorted order so that the error reported is stable. lookup
// finds other queues by ARN for RedrivePolicy (the broker's lock is held).
func parseAttributes(base config, attrs map[string]string, fifo, creating bool, self string, lookup func(arn string) *Queue) (config, error) {
	c := base
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[name]
		var err error
		if ia, ok := intAttrs[name]; ok {
			n, perr := strconv.Atoi(strings.TrimSpace(v))
			if perr != nil || n < ia.lo || n > ia.hi {
				return c, invalidAttribute(name)
			}
			*ia.field(&c) = n
			continue
		}
		switch name {
		case AttrContentBasedDeduplication, AttrDeduplicationScope, AttrFifoThroughputLimit:
			err = c.setFIFO(name, v, fifo)
		case AttrFifoQueue:
			if !creating {
				if fifo {
					return c, errorf(ErrInvalidAttributeValue, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
				}
				return c, unknownAttribute(name)
			}
			// CreateQueue read it already.
		default:
			err = c.set(name, v, fifo, self, lookup)
		}
		if err != nil {
			return c, err
		}
	}
	if c.kmsKey != "" {
		// An SqsManagedSseEnabled given here was valid: the loop would
		// have failed on it otherwise.
		if _, sseSet := attrs[AttrSqsManagedSseEnabled]; sseSet && c.sseManaged {
			return c, errorf(ErrInvalidAttributeName, "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
		}
		c.sseManaged = false
	}
	return c, nil
}

// set sets an attribute that any queue has, but for the integer ones.
func (c *config) set(name, v string, fifo bool, self string, lookup func(arn string) *Queue) error {
	switch name {
	case AttrPolicy:
		if v != "" && !isJSONObject(v) {
			return invalidAttribute(name)
		}
		c.policy = v
	case AttrRedrivePolicy:
		if v == "" {
			c.redrive = nil
			return nil
		}
		p, err := parseRedrivePolicy(v)
		if err != nil {
			return err
		}
		if err := checkDeadLetterTarget(v, p, fifo, self, lookup); err != nil {
			return err
		}
		c.redrive = p
	case AttrRedriveAllowPolicy:
		if v == "" {
			c.redriveAllow = nil
			return nil
		}
		p, err := parseRedriveAllowPolicy(v)
		if err != nil {
			return err
		}
		c.redriveAllow = p
	case AttrKmsMasterKeyID:
		c.kmsKey = v
	case AttrSqsManagedSseEnabled:
		b, ok := parseBool(v)
		if !ok {
			return invalidAttribute(name)
		}
		c.sseManaged = b
	default:
		return unknownAttribute(name)
	}
	return nil
}

// fifoWords are the FIFO attributes that take one of two words.
var fifoWords = map[string]struct {
	words [2]string
	field func(*config) *string
}{
	AttrDeduplicationScope:  {[2]string{"queue", "messageGroup"}, func(c *config) *string { return &c.dedupScope }},
	AttrFifoThroughputLimit: {[2]string{"perQueue", "perMessageGroupId"}, func(c *config) *string { return &c.throughput }},
}

// setFIFO sets an attribute that only a FIFO queue has.
func (c *config) setFIFO(name, v string, fifo bool) error {
	if !fifo {
		return unknownAttribute(name)
	}
	if name == AttrContentBasedDeduplication {
		b, ok := parseBool(v)
		if !ok {
			return invalidAttribute(name)
		}
		c.contentDedup = b
		return nil
	}
	fw := fifoWords[name]
	if v != fw.words[0] && v != fw.words[1] {
		return invalidAttribute(name)
	}
	*fw.field(c) = v
	return nil
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func isJSONObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil
}

func redriveError(v, reason string) *Error {
	return invalidValue("RedrivePolicy", v, reason)
}

// parseRedrivePolicy reads {"deadLetterTargetArn": ARN, "maxReceiveCount": N};
// the count may be a number or a string.
func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	var raw map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, redriveError(v, "Redrive policy is not a valid JSON map.")
	}
	p := &redrivePolicy{}
	for k, rv := range raw {
		switch k {
		case "deadLetterTargetArn":
			if json.Unmarshal(rv, &p.TargetARN) != nil || !validARN(p.TargetARN) {
				return nil, redriveError(v, "Invalid value for deadLetterTargetArn.")
			}
		case "maxReceiveCount":
			var s string
			if json.Unmarshal(rv, &s) != nil {
				s = string(bytes.TrimSpace(rv))
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 1000 {
				return nil, redriveError(v, fmt.Sprintf("Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", s))
			}
			p.MaxReceiveCount = n
		default:
			return nil, redriveError(v, "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].")
		}
	}
	if p.TargetARN == "" {
		return nil, redriveError(v, "Value for parameter deadLetterTargetArn is missing.")
	}
	if p.MaxReceiveCount == 0 {
		return nil, redriveError(v, "Value for parameter maxReceiveCount is missing.")
	}
	return p, nil
}

// checkDeadLetterTarget: the target exists, is of the same type, and its
// RedriveAllowPolicy lets this queue use it.
func checkDeadLetterTarget(v string, p *redrivePolicy, fifo bool, self string, lookup func(string) *Queue) error {
	dlq := lookup(p.TargetARN)
	if dlq == nil {
		return redriveError(v, "Dead letter target does not exist.")
	}
	if dlq.fifo != fifo {
		return redriveError(v, "Dead-letter queue must be same type of queue as the source.")
	}
	if !dlq.cfg.Load().redriveAllow.allows(self) {
		return redriveError(v, fmt.Sprintf("Queue %s does not allow this queue to use it as a dead-letter queue.", p.TargetARN))
	}
	return nil
}

// allows reports whether a RedriveAllowPolicy lets the queue arn redrive
// here.
func (p *redriveAllowPolicy) allows(arn string) bool {
	switch {
	case p == nil:
		return true
	case p.Permission == "denyAll":
		return false
	case p.Permission == "byQueue":
		return slices.Contains(p.SourceARNs, arn)
	}
	return true
}

func parseRedriveAllowPolicy(v string) (*redriveAllowPolicy, error) {
	var raw struct {
		Permission *string  `json:"redrivePermission"`
		Sources    []string `json:"sourceQueueArns"`
	}
	d := json.NewDecoder(strings.NewReader(v))
	d.DisallowUnknownFields()
	bad := func(reason string) error { return invalidValue("RedriveAllowPolicy", v, reason) }
	if err := d.Decode(&raw); err != nil {
		return nil, bad("Redrive allow policy is not a valid JSON map with redrivePermission and sourceQueueArns.")
	}
	if raw.Permission == nil {
		return nil, bad("Value for parameter redrivePermission is missing.")
	}
	p := &redriveAllowPolicy{Permission: *raw.Permission, SourceARNs: raw.Sources}
	switch p.Permission {
	case "allowAll", "denyAll":
		if len(p.SourceARNs) > 0 {
			return nil, bad("sourceQueueArns may only be given when redrivePermission is byQueue.")
		}
	case "byQueue":
		if len(p.SourceARNs) < 1 || len(p.SourceARNs) > 10 {
			return nil, bad("byQueue needs between 1 and 10 sourceQueueArns.")
		}
		for _, a := range p.SourceARNs {
			if !validARN(a) {
				return nil, bad("Invalid value for sourceQueueArns.")
			}
		}
	default:
		return nil, bad("redrivePermission must be allowAll, denyAll or byQueue.")
	}
	return p, nil
}

// render returns the value GetQueueAttributes shows for a settable
// attribute, and false when it is unset and so omitted.
func (c *config) render(name string) (string, bool) {
	if ia, ok := intAttrs[name]; ok {
		if name == AttrKmsDataKeyReusePeriodSeconds && c.kmsKey == "" {
			return "", false
		}
		return strconv.Itoa(*ia.field(c)), true
	}
	switch name {
	case AttrPolicy:
		return c.policy, c.policy != ""
	case AttrRedrivePolicy:
		if c.redrive == nil {
			return "", false
		}
		b, _ := json.Marshal(struct {
			TargetARN string `json:"deadLetterTargetArn"`
			Max       int    `json:"maxReceiveCount"`
		}{c.redrive.TargetARN, c.redrive.MaxReceiveCount})
		return string(b), true
	case AttrRedriveAllowPolicy:
		if c.redriveAllow == nil {
			return "", false
		}
		b, _ := json.Marshal(struct {
			Permission string   `json:"redrivePermission"`
			Sources    []string `json:"sourceQueueArns,omitempty"`
		}{c.redriveAllow.Permission, c.redriveAllow.SourceARNs})
		return string(b), true
	case AttrKmsMasterKeyID:
		return c.kmsKey, c.kmsKey != ""
	case AttrSqsManagedSseEnabled:
		return strconv.FormatBool(c.sseManaged), true
	case AttrContentBasedDeduplication:
		return strconv.FormatBool(c.contentDedup), true
	case AttrDeduplicationScope:
		return c.dedupScope, true
	case AttrFifoThroughputLimit:
		return c.throughput, true
	}
	return "", false
}

// The attribute names GetQueueAttributes knows, for each queue type.
var (
	standardAttributeNames = []string{
		AttrApproximateNumberOfMessages, AttrApproximateNumberOfMessagesDelayed,
		AttrApproximateNumberOfMessagesNotVisible, AttrCreatedTimestamp, AttrDelaySeconds,
		AttrKmsDataKeyReusePeriodSeconds, AttrKmsMasterKeyID, AttrLastModifiedTimestamp,
		AttrMaximumMessageSize, AttrMessageRetentionPeriod, AttrPolicy, AttrQueueArn,
		AttrReceiveMessageWaitTimeSeconds, AttrRedriveAllowPolicy, AttrRedrivePolicy,
		AttrSqsManagedSseEnabled, AttrVisibilityTimeout,
	}
	fifoAttributeNames = []string{
		AttrContentBasedDeduplication, AttrDeduplicationScope, AttrFifoQueue, AttrFifoThroughputLimit,
	}
)

// validQueueName: 1 to 80 of A-Z a-z 0-9 _ -, and for a FIFO queue the
// .fifo suffix, which counts.
func validQueueName(name string, fifo bool) error {
	if name == "" {
		return errorf(ErrMissingParameter, "The request must contain the parameter QueueName.")
	}
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, ".fifo"); !ok {
			base = ""
		}
	}
	ok := base != "" && len(name) <= 80
	for i := 0; ok && i < len(base); i++ {
		ok = isAlnum(base[i]) || base[i] == '_' || base[i] == '-'
	}
	switch {
	case ok:
		return nil
	case fifo:
		return errorf(ErrInvalidParameterValue, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	default:
		return errorf(ErrInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
}

// validARN: arn:PARTITION:sqs:REGION:ACCOUNT:NAME.
func validARN(s string) bool {
	p := strings.Split(s, ":")
	return len(p) == 6 && p[0] == "arn" && p[1] != "" && p[2] == "sqs" && p[5] != ""
}

// arnName is the queue name of an SQS ARN, or "" when s is not one.
func arnName(s string) string {
	if !validARN(s) {
		return ""
	}
	return s[strings.LastIndexByte(s, ':')+1:]
}
