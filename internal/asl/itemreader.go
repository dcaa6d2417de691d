package asl

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// readerFailed is the failure of a Distributed Map's ItemReader, named as
// Step Functions names it.
func readerFailed(format string, args ...any) *failure {
	return &failure{name: states.ItemReaderFailed, cause: fmt.Sprintf(format, args...)}
}

// readItems reads the items of a Distributed Map's ItemReader: the mocked
// answer of the Map state when the execution's test case mocks it, or else
// the object (or listing) from the engine's ObjectStore. maxItems bounds
// the count (0: no bound).
func (x *Execution) readItems(f *frame, s *State, r *itemReader, params any, maxItems int64) ([]any, *failure) {
	bucket, key, prefix, fl := readerTarget(r, params)
	if fl != nil {
		return nil, fl
	}
	var body []byte
	var listed []any
	if x.mock != nil {
		if a, ok := x.mock.Answer(s.Name); ok {
			if a.Err != nil {
				fl := asFailure(a.Err)
				return nil, &fl
			}
			switch v := a.Output.(type) {
			case string:
				// The object's body, as the file holds it.
				body = []byte(v)
			case []any:
				// The items as the reader would have made them, whatever
				// the object's format.
				return limitItems(v, maxItems), nil
			default:
				return nil, readerFailed("the mocked answer of Map state '%s' must be the object's body (a string) or the items (an array), not %s", s.Name, value.TypeName(a.Output))
			}
			if r.list {
				return nil, readerFailed("the mocked answer of Map state '%s' lists objects: mock it as an array of {Key, Size, Etag, LastModified, StorageClass}", s.Name)
			}
		}
	}
	if body == nil {
		store := x.engine.Objects
		if store == nil {
			return nil, readerFailed("no S3 stand-in to read s3://%s/%s from: run with --s3-dir DIR (s3://BUCKET/KEY is then DIR/BUCKET/KEY), or mock the Map state '%s' in the test case", bucket, key+prefix, s.Name)
		}
		if r.list {
			objs, err := store.ListObjects(x.ctx, bucket, prefix)
			if err != nil {
				return nil, readerFailed("%v", err)
			}
			for _, o := range objs {
				listed = append(listed, map[string]any{
					"Etag": o.ETag, "Key": o.Key, "LastModified": formatTime(o.LastModified),
					"Size": value.IntNumber(o.Size), "StorageClass": "STANDARD",
				})
			}
			return limitItems(listed, maxItems), nil
		}
		b, err := store.GetObject(x.ctx, bucket, key)
		if err != nil {
			return nil, readerFailed("%v", err)
		}
		body = b
	}
	items, fl := parseItems(r, body, maxItems, bucket, key)
	return items, fl
}

// readerTarget reads Bucket and Key (s3:getObject) or Bucket and Prefix
// (s3:listObjectsV2) from the ItemReader's evaluated Parameters.
func readerTarget(r *itemReader, params any) (bucket, key, prefix string, fl *failure) {
	obj, ok := params.(map[string]any)
	if !ok {
		return "", "", "", readerFailed("the ItemReader's parameters must be an object with Bucket and Key, not %s", value.TypeName(params))
	}
	str := func(name string, required bool) (string, bool) {
		v, has := obj[name]
		if !has {
			return "", !required
		}
		s, isStr := v.(string)
		return s, isStr && (s != "" || !required)
	}
	var okB, okK bool
	bucket, okB = str("Bucket", true)
	if r.list {
		prefix, okK = str("Prefix", false)
	} else {
		key, okK = str("Key", true)
	}
	if !okB || !okK {
		what := "Bucket and Key"
		if r.list {
			what = "Bucket (and optionally Prefix)"
		}
		return "", "", "", readerFailed("the ItemReader's parameters must give %s as strings: %s", what, value.MustEncodeString(params))
	}
	return bucket, key, prefix, nil
}

func limitItems(items []any, maxItems int64) []any {
	if maxItems > 0 && int64(len(items)) > maxItems {
		return items[:maxItems]
	}
	return items
}

// parseItems turns an object's body into items, by the ReaderConfig's
// InputType: a JSON array, JSON Lines, or CSV rows as objects keyed by the
// headers (values stay strings, as Step Functions reads them).
func parseItems(r *itemReader, body []byte, maxItems int64, bucket, key string) ([]any, *failure) {
	switch r.inputType {
	case "JSONL":
		var items []any
		for n, line := range bytes.Split(body, []byte("\n")) {
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			if maxItems > 0 && int64(len(items)) >= maxItems {
				break
			}
			v, err := value.Decode(line)
			if err != nil {
				return nil, readerFailed("Line %d of s3://%s/%s is not JSON: %v", n+1, bucket, key, err)
			}
			items = append(items, v)
		}
		return items, nil
	case "CSV":
		return parseCSV(r, body, maxItems, bucket, key)
	default:
		v, err := value.Decode(body)
		if err != nil {
			return nil, readerFailed("The object s3://%s/%s is not JSON (InputType JSON expects an array of items): %v", bucket, key, err)
		}
		list, ok := v.([]any)
		if !ok {
			return nil, readerFailed("Attempting to map over non-iterable node.")
		}
		return limitItems(list, maxItems), nil
	}
}

func parseCSV(r *itemReader, body []byte, maxItems int64, bucket, key string) ([]any, *failure) {
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = r.csvDelimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	headers := r.csvHeaders
	if r.csvFirstRow {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return []any{}, nil
		}
		if err != nil {
			return nil, readerFailed("The CSV object s3://%s/%s cannot be read: %v", bucket, key, err)
		}
		headers = row
	}
	seen := make(map[string]bool, len(headers))
	for _, h := range headers {
		if seen[h] {
			return nil, readerFailed("CSV headers cannot contain duplicates.")
		}
		seen[h] = true
	}
	items := []any{}
	for maxItems <= 0 || int64(len(items)) < maxItems {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readerFailed("The CSV object s3://%s/%s cannot be read: %v", bucket, key, err)
		}
		obj := make(map[string]any, len(headers))
		for i, h := range headers {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			obj[h] = v
		}
		items = append(items, obj)
	}
	return items, nil
}

// intOf reads a whole number for a ...Path field: AWS reads a string such
// as "2" too.
func intOf(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	return value.Int(v)
}
