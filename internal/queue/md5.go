package queue

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
)

// BodyMD5 is MD5OfMessageBody (and MD5OfBody): the hex MD5 of the body's
// UTF-8 bytes.
func BodyMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// AttributesMD5 is MD5OfMessageAttributes (and MD5OfMessageSystemAttributes)
// as SQS computes it and the SDKs check it: for each attribute in order of
// name (by bytes), the name, the data type, one transport byte (1 for String
// and Number and their custom types, 2 for Binary ones) and the value, each
// length-prefixed with a 4-byte big-endian length except the transport byte.
// It is "" when there are no attributes, and SQS then omits the field.
func AttributesMD5(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	h := md5.New()
	var buf []byte
	put := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, k := range names {
		a := attrs[k]
		buf = buf[:0]
		put([]byte(k))
		put([]byte(a.DataType))
		if isBinaryType(a.DataType) {
			buf = append(buf, 2)
			put(a.BinaryValue)
		} else {
			buf = append(buf, 1)
			put([]byte(a.StringValue))
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isBinaryType reports whether a data type (Binary, Binary.png) travels as
// bytes.
func isBinaryType(t string) bool { return strings.HasPrefix(t, "Binary") }

// contentDedupID is the deduplication id of ContentBasedDeduplication: the
// hex SHA-256 of the body (attributes are not part of it).
func contentDedupID(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}
