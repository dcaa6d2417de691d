package order

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/input"
)

// Limits of an order file. The file is streamed, so its bytes are never
// all in memory at once, but every order is kept until it has been sent.
const (
	// MaxFileOrders is the most orders one file may hold (as many as
	// order submit --generate makes).
	MaxFileOrders = 1_000_000
	// MaxFileBytes is the largest order file.
	MaxFileBytes = 1 << 30
)

// The limits as ReadFrom applies them; tests lower them.
var (
	maxFileOrders       = MaxFileOrders
	maxFileBytes  int64 = MaxFileBytes
)

// utf8BOM is the byte order mark some editors put at the start of a UTF-8
// file; it carries nothing and is skipped.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// Read decodes a file of orders held in memory; see ReadFrom.
func Read(data []byte) ([]Order, []int, error) {
	return ReadFrom(bytes.NewReader(data))
}

// ReadFrom decodes a stream of orders: NDJSON (one order a line; blank
// lines are skipped) or a JSON array of orders, with or without a UTF-8
// byte order mark. It returns each order with the line it starts on. It
// does not validate the values, but text that is not valid UTF-8 is an
// error naming its field (a JSON decoder would silently turn it into
// U+FFFD). A problem is an *input.Error with its line (none when it is
// about the file as a whole). It reads at most MaxFileBytes and
// MaxFileOrders.
func ReadFrom(r io.Reader) ([]Order, []int, error) {
	lr := &limitedReader{r: r, left: maxFileBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	// Leading blanks: count their lines, find what the data starts with.
	line := 1
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil, nil, input.Errorf("", "is empty").WithFix("give one order a line (NDJSON) or a JSON array of orders")
		}
		if err != nil {
			return nil, nil, lr.wrap(err)
		}
		if c == '\n' {
			line++
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		_ = br.UnreadByte()
		break
	}
	var (
		orders []Order
		lines  []int
		err    error
	)
	if c, _ := br.Peek(1); c[0] == '[' {
		orders, lines, err = readArray(br, line)
	} else {
		orders, lines, err = readLines(br, line)
	}
	if lr.over {
		return nil, nil, input.Errorf("", "is larger than %s, the most one order file may hold", input.Size(maxFileBytes)).
			WithFix("split it into several files")
	}
	return orders, lines, err
}

// limitedReader reads at most left bytes and notes when there were more.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the limit from a larger one.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedReader) wrap(err error) error {
	return input.Errorf("", "cannot be read: %v", err)
}

// tooMany is the error past MaxFileOrders.
func tooMany(line int) error {
	return input.Errorf("", "holds more than %s orders, the most one file may hold", formatCount(maxFileOrders)).
		WithFix("split it into several files").At("", line)
}

func formatCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// readArray decodes a JSON array of orders; first is the line of its [.
func readArray(r io.Reader, first int) ([]Order, []int, error) {
	lc := &lineCounter{r: r, line: first}
	dec := json.NewDecoder(lc)
	if _, err := dec.Token(); err != nil {
		return nil, nil, input.Errorf("", "not a JSON array: %v", err)
	}
	var out []Order
	var lines []int
	for dec.More() {
		if len(out) == maxFileOrders {
			return nil, nil, tooMany(lc.lineAt(dec.InputOffset()))
		}
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, input.Errorf("", "invalid JSON: %v", err).At("", lc.lineAt(dec.InputOffset()))
		}
		// The order starts after the comma and blanks that precede it.
		line := lc.lineAt(start + lc.blanksAt(start))
		o, err := decodeChecked(raw)
		if err != nil {
			return nil, nil, at(err, line)
		}
		out, lines = append(out, o), append(lines, line)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, input.Errorf("", "the JSON array is not closed: %v", err)
	}
	if !onlyBlanks(io.MultiReader(dec.Buffered(), lc.r)) {
		return nil, nil, input.Errorf("", "unexpected data after the JSON array").At("", lc.lineAt(dec.InputOffset()))
	}
	return out, lines, nil
}

// onlyBlanks reads r to its end and reports whether it held only blanks.
func onlyBlanks(r io.Reader) bool {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if len(bytes.TrimSpace(buf[:n])) > 0 {
			return false
		}
		if err != nil {
			return true
		}
	}
}

// lineCounter passes a stream through and tells the line of an offset in
// it. Offsets are asked in increasing order, so it keeps only the bytes
// past the last one asked: an order and the decoder's read-ahead.
type lineCounter struct {
	r    io.Reader
	kept []byte // the stream from offset base on
	base int64
	line int // the line at offset base
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.kept = append(c.kept, p[:n]...)
	return n, err
}

// lineAt is the line of offset off (not before the last offset asked).
func (c *lineCounter) lineAt(off int64) int {
	if off > c.base {
		k := min(off-c.base, int64(len(c.kept)))
		c.line += bytes.Count(c.kept[:k], []byte("\n"))
		c.kept = c.kept[k:]
		c.base += k
	}
	return c.line
}

// blanksAt counts the commas and blanks at offset off, before a value.
func (c *lineCounter) blanksAt(off int64) int64 {
	if off < c.base {
		return 0
	}
	rest := c.kept[off-c.base:]
	return int64(len(rest) - len(bytes.TrimLeft(rest, " \t\r\n,")))
}

// readLines decodes NDJSON; first is the line of the first order.
func readLines(r io.Reader, first int) ([]Order, []int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxMessageBytes+1024)
	var out []Order
	var lines []int
	n := first - 1
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(out) == maxFileOrders {
			return nil, nil, tooMany(n)
		}
		o, err := decodeChecked(line)
		if err != nil {
			return nil, nil, at(err, n)
		}
		out, lines = append(out, o), append(lines, n)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, input.Errorf("", "longer than the 1 MiB an SQS message may hold").At("", n+1)
		}
		return nil, nil, input.Errorf("", "%v", err)
	}
	return out, lines, nil
}

// decodeChecked is Decode that first refuses text that is not UTF-8.
func decodeChecked(data []byte) (Order, error) {
	if !utf8.Valid(data) {
		return Order{}, invalidUTF8(data)
	}
	return Decode(data)
}

// invalidUTF8 names the field of an order that holds the first byte that
// is not UTF-8.
func invalidUTF8(data []byte) error {
	bad := 0
	for bad < len(data) {
		r, size := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	field := fieldAtOffset(data, int64(bad))
	if field == "" {
		field = "order"
	}
	return fieldErr(field, "is not valid UTF-8 (byte 0x%02x)", data[bad]).(*input.Error).
		WithFix("save the file as UTF-8")
}

// fieldAtOffset returns the JSON path (items[1].sku) of the value or key
// whose text holds byte offset off of data, or "" when none does.
func fieldAtOffset(data []byte, off int64) string {
	type frame struct {
		array   bool
		key     string
		index   int
		wantKey bool
	}
	var stack []frame
	path := func() string {
		var b bytes.Buffer
		for _, f := range stack {
			switch {
			case f.array:
				fmt.Fprintf(&b, "[%d]", f.index)
			case f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	// valueDone moves the innermost container past one value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].wantKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		isKey := false
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].wantKey {
			if s, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].wantKey, isKey = s, false, true
			}
		}
		if dec.InputOffset() > off {
			return path()
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{array: true})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			if !isKey {
				valueDone()
			}
		}
	}
}

// at places Decode's error on a line of the file.
func at(err error, line int) error {
	if e, ok := err.(*input.Error); ok {
		return e.At("", line)
	}
	return input.Errorf("", "%v", err).At("", line)
}
