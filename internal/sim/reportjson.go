package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// WriteJSON writes r as encoding/json's Encoder does with HTML escaping
// off, indented by two spaces when indent is set: the same bytes, but the
// per-second series a second at a time instead of the whole document in
// memory at once (a simulated day's series is 86,400 seconds, some 34 MB
// of JSON, which the Encoder holds twice, compact and indented).
func (r *Report) WriteJSON(w io.Writer, indent bool) error {
	head := *r
	head.Series = nil
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	tail, open, sep, end, empty := `"series":null}`+"\n", `"series":[`, ",", "]}\n", `"series":[]}`+"\n"
	if indent {
		enc.SetIndent("", "  ")
		tail, open, sep, end, empty = "\"series\": null\n}\n", `"series": [`, ",\n    ", "\n  ]\n}\n", "\"series\": []\n}\n"
	}
	if err := enc.Encode(&head); err != nil {
		return err
	}
	doc := buf.Bytes()
	if !bytes.HasSuffix(doc, []byte(tail)) {
		// Series is no longer the report's last field.
		return errors.New("sim: the report's JSON does not end with its series")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(doc[:len(doc)-len(tail)])
	switch {
	case r.Series == nil:
		bw.WriteString(tail)
	case len(r.Series) == 0:
		bw.WriteString(empty)
	default:
		bw.WriteString(open)
		if indent {
			bw.WriteString("\n    ")
			enc.SetIndent("    ", "  ")
		}
		for i := range r.Series {
			if i > 0 {
				bw.WriteString(sep)
			}
			buf.Reset()
			if err := enc.Encode(&r.Series[i]); err != nil {
				return err
			}
			bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		}
		bw.WriteString(end)
	}
	return bw.Flush()
}
