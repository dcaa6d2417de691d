package fakesqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
)

// Attribute is a message attribute as the JSON protocol carries it.
type Attribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// attributesMD5 is SQS's digest of message attributes, which the SDK
// checks: for each attribute in name order, the length-prefixed name and
// data type, a transport byte (1 string, 2 binary) and the length-prefixed
// value.
func attributesMD5(attrs map[string]Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	var buf []byte
	put := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, k := range names {
		a := attrs[k]
		put([]byte(k))
		put([]byte(a.DataType))
		if isBinary(a.DataType) {
			buf = append(buf, 2)
			put(a.BinaryValue)
		} else {
			buf = append(buf, 1)
			put([]byte(a.StringValue))
		}
	}
	return md5Hex(buf)
}

func isBinary(dataType string) bool {
	return len(dataType) >= 6 && dataType[:6] == "Binary"
}
