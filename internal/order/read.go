package order

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"

	"github.com/yafdp/yafdp/internal/input"
)

// Read decodes a file of orders: NDJSON (one order a line; blank lines
// are skipped) or a JSON array of orders. It returns each order with the
// line it starts on. It does not validate the values. A problem is an
// *input.Error with its line (none when it is about the file as a whole).
func Read(data []byte) ([]Order, []int, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, nil, input.Errorf("", "is empty").WithFix("give one order a line (NDJSON) or a JSON array of orders")
	}
	if trimmed[0] == '[' {
		return readArray(data)
	}
	return readLines(data)
}

// readArray decodes a JSON array of orders.
func readArray(data []byte) ([]Order, []int, error) {
	lineAt := func(offset int) int { return bytes.Count(data[:offset], []byte("\n")) + 1 }
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, nil, input.Errorf("", "not a JSON array: %v", err)
	}
	var out []Order
	var lines []int
	for dec.More() {
		start := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, input.Errorf("", "invalid JSON: %v", err).At("", lineAt(int(dec.InputOffset())))
		}
		// The order starts after the comma and blanks that precede it.
		line := lineAt(start + len(data[start:]) - len(bytes.TrimLeft(data[start:], " \t\r\n,")))
		o, err := Decode(raw)
		if err != nil {
			return nil, nil, at(err, line)
		}
		out, lines = append(out, o), append(lines, line)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, input.Errorf("", "the JSON array is not closed: %v", err)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, nil, input.Errorf("", "unexpected data after the JSON array").At("", lineAt(int(dec.InputOffset())))
	}
	return out, lines, nil
}

// readLines decodes NDJSON.
func readLines(data []byte) ([]Order, []int, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxMessageBytes+1024)
	var out []Order
	var lines []int
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		o, err := Decode(line)
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

// at places Decode's error on a line of the file.
func at(err error, line int) error {
	if e, ok := err.(*input.Error); ok {
		return e.At("", line)
	}
	return input.Errorf("", "%v", err).At("", line)
}
