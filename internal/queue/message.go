package queue

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of SQS that do not depend on a queue's attributes.
const (
	// MaxMessageBytes is the largest MaximumMessageSize, and the most a
	// batch may carry in total.
	MaxMessageBytes = 1 << 20
	// MaxBatchEntries is the most entries of a batch request.
	MaxBatchEntries = 10
	// MaxMessageAttributes is the most message attributes of one message.
	MaxMessageAttributes = 10
	// MaxVisibilityTimeout is the longest visibility timeout, counted from
	// the receive that started it.
	MaxVisibilityTimeout = 12 * time.Hour
	// DeduplicationWindow is how long a FIFO queue remembers a
	// deduplication id.
	DeduplicationWindow = 5 * time.Minute
	// PurgeInterval is the least time between two purges of a queue.
	PurgeInterval = 60 * time.Second
	// MaxInflight is the most messages a standard queue has in flight; a
	// short poll past it is OverLimit, a long poll gets nothing.
	MaxInflight = 120_000
)

// MessageAttributeValue is a message attribute: a data type (String,
// Number, Binary, or one of those followed by a custom suffix such as
// Number.float) and its value.
type MessageAttributeValue struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// msgState is where a message is in its life.
type msgState uint8

const (
	stVisible msgState = iota + 1
	stInflight
	stDelayed
	stGone // deleted, expired, purged or moved away
)

// loc says which structure holds a visible message of a standard queue.
type loc uint8

const (
	locNone  loc = iota
	locFresh     // the send-order ring
	locReady     // the heap of messages that left the send order
)

// message is one message of one queue. It is plain data: the queue's
// structures point at it, and a snapshot needs only these fields.
type message struct {
	seq       uint64 // enqueue order in this queue; the key of receipt handles
	id        string
	body      string
	attrs     map[string]MessageAttributeValue
	trace     string // the AWSTraceHeader system attribute
	group     string
	dedup     string
	sender    string
	dlqSource string // the queue it was redriven from, for a dead letter

	sentAt    int64 // ns since the Unix epoch, as every time here
	origin    int64 // when its retention period started
	firstRecv int64
	recvAt    int64 // the receive that started the current visibility timeout
	visibleAt int64 // while in flight or delayed
	receives  int32
	state     msgState
	loc       loc
	hidx      [3]int32 // position in each heap, -1 outside

	age     link[message] // in the retention list (Queue.ages)
	inGroup link[message] // in its FIFO group (group.msgs)
	grp     *group
}

func ageLink(m *message) *link[message]   { return &m.age }
func groupLink(m *message) *link[message] { return &m.inGroup }

func newMessage() *message {
	return &message{hidx: [3]int32{-1, -1, -1}}
}

// validBody reports whether s has only the characters SQS accepts: #x9, #xA,
// #xD, #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to #x10FFFF, in valid
// UTF-8.
func validBody(s string) bool {
	for i := 0; i < len(s); {
		// Eight plain ASCII bytes (0x20 to 0x7F) at a time: no byte has its
		// high bit set or is below 0x20.
		if i+8 <= len(s) {
			w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			const lo, hi = 0x0101010101010101, 0x8080808080808080
			if w&hi == 0 && (w-0x20*lo)&^w&hi == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

func invalidContents() *Error {
	return errorf(ErrInvalidMessageContents, "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

// validateAttributes checks message attributes and returns the bytes they
// count toward the message size: names, data types and values.
func validateAttributes(attrs map[string]MessageAttributeValue) (int, error) {
	if len(attrs) > MaxMessageAttributes {
		return 0, errorf(ErrInvalidParameterValue, "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), MaxMessageAttributes)
	}
	size := 0
	for name, a := range attrs {
		if !validAttributeName(name) {
			return 0, errorf(ErrInvalidParameterValue, "Message (user) attribute name '%s' is invalid. Attribute names can contain only A-Z, a-z, 0-9, underscore (_), hyphen (-) and period (.), can be up to 256 characters, must not start or end with a period or contain two periods in a row, and must not start with AWS. or Amazon.", name)
		}
		base, ok := baseType(a.DataType)
		if !ok {
			return 0, errorf(ErrInvalidParameterValue, "The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		switch base {
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, errorf(ErrInvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name)
			}
			size += len(a.BinaryValue)
		default:
			if a.StringValue == "" {
				return 0, errorf(ErrInvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, base)
			}
			if base == "Number" && !validNumber(a.StringValue) {
				return 0, errorf(ErrInvalidParameterValue, "Value %s for parameter MessageAttribute %s is invalid. Reason: Number must be a decimal of at most 38 significant digits between -10^128 and 10^126.", a.StringValue, name)
			}
			if !validBody(a.StringValue) {
				return 0, errorf(ErrInvalidParameterValue, "Message (user) attribute '%s' contains invalid characters.", name)
			}
			size += len(a.StringValue)
		}
		size += len(name) + len(a.DataType)
	}
	return size, nil
}

// validateSystemAttributes checks MessageSystemAttributes: only
// AWSTraceHeader, a non-empty String. It does not count toward the size.
func validateSystemAttributes(attrs map[string]MessageAttributeValue) (string, error) {
	trace := ""
	for name, a := range attrs {
		if name != "AWSTraceHeader" {
			return "", errorf(ErrInvalidParameterValue, "Message system attribute name '%s' is invalid.", name)
		}
		if a.DataType != "String" {
			return "", errorf(ErrInvalidParameterValue, "The type of message system attribute '%s' is invalid. It must be String.", name)
		}
		if a.StringValue == "" {
			return "", errorf(ErrInvalidParameterValue, "Message system attribute '%s' must contain a non-empty value of type 'String'.", name)
		}
		trace = a.StringValue
	}
	return trace, nil
}

// validAttributeName: 1 to 256 of A-Z a-z 0-9 _ - ., no leading or trailing
// period, no two periods in a row, not starting with AWS. or Amazon. (in
// any case).
func validAttributeName(s string) bool {
	if s == "" || len(s) > 256 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	l := strings.ToLower(s)
	return !strings.HasPrefix(l, "aws.") && !strings.HasPrefix(l, "amazon.")
}

// baseType returns String, Number or Binary for a data type such as
// Number.float; the whole type is at most 256 characters.
func baseType(t string) (string, bool) {
	if len(t) > 256 {
		return "", false
	}
	for _, b := range [...]string{"String", "Number", "Binary"} {
		if t == b {
			return b, true
		}
		if strings.HasPrefix(t, b+".") && len(t) > len(b)+1 {
			return b, true
		}
	}
	return "", false
}

// validNumber accepts a decimal with an optional sign, fraction and
// exponent, with at most 38 significant digits.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, sig, leading := 0, 0, true
	dot := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if c != '0' || !leading {
				leading = false
				sig++
			}
		case c == '.' && !dot:
			dot = true
		default:
			goto exp
		}
	}
exp:
	if digits == 0 || sig > 38 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := 0
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n++
	}
	return n > 0 && n <= 3
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// validGroupOrDedupID: 1 to 128 alphanumeric or punctuation characters.
func validGroupOrDedupID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// validBatchID: 1 to 80 of A-Z a-z 0-9 _ -.
func validBatchID(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
