package output

import (
	"strconv"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/ui"
)

type execution struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Retries int    `json:"retries"`
	URL     string `json:"url,omitempty"`
}

var executionColumns = []Column[execution]{
	{Header: "Name", Value: func(e execution) string { return e.Name }},
	{Header: "Status", Value: func(e execution) string { return e.Status }, Tone: func(e execution) ui.Tone {
		if e.Status == "FAILED" {
			return ui.ToneFailure
		}
		return ui.ToneSuccess
	}},
	{Header: "Retries", Value: func(e execution) string { return strconv.Itoa(e.Retries) }, Align: ui.AlignRight},
}

var executions = []execution{
	{Name: "ord_1", Status: "SUCCEEDED", Retries: 0, URL: "https://example.com/?a=1&b=2"},
	{Name: "ord_22", Status: "FAILED", Retries: 12},
}

func TestList(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "NAME    STATUS     RETRIES\nord_1   SUCCEEDED        0\nord_22  FAILED          12\n"},
		{JSON, `[
  {
    "name": "ord_1",
    "status": "SUCCEEDED",
    "retries": 0,
    "url": "https://example.com/?a=1&b=2"
  },
  {
    "name": "ord_22",
    "status": "FAILED",
    "retries": 12
  }
]
`},
		{JSONL, `{"name":"ord_1","status":"SUCCEEDED","retries":0,"url":"https://example.com/?a=1&b=2"}
{"name":"ord_22","status":"FAILED","retries":12}
`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			l := NewList(New(ios, tt.format), executionColumns...)
			for _, e := range executions {
				if err := l.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
			if l.Len() != 2 {
				t.Errorf("Len() = %d, want 2", l.Len())
			}
		})
	}
}

func TestListEmpty(t *testing.T) {
	for format, want := range map[Format]string{Table: "", JSON: "[]\n", JSONL: ""} {
		ios, _, out, _ := iostreams.Test()
		if err := NewList(New(ios, format), executionColumns...).Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("%s: empty list printed %q, want %q", format, out, want)
		}
	}
}

func TestJSONLStreams(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	l := NewList(New(ios, JSONL), executionColumns...)
	if err := l.Add(executions[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "}\n") {
		t.Errorf("record not written before Close: %q", out)
	}
	_ = l.Close()
	if err := l.Add(executions[1]); err == nil {
		t.Error("Add after Close succeeded")
	}
}

func TestTableColour(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	l := NewList(New(ios, Table), executionColumns...)
	_ = l.Add(executions[1])
	_ = l.Close()
	if !strings.Contains(out.String(), "\x1b[") {
		t.Errorf("no colour on a terminal: %q", out)
	}
}

func TestPrintItem(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "Name     ord_22\nStatus   FAILED\nRetries  12\n"},
		{JSON, "{\n  \"name\": \"ord_22\",\n  \"status\": \"FAILED\",\n  \"retries\": 12\n}\n"},
		{JSONL, `{"name":"ord_22","status":"FAILED","retries":12}` + "\n"},
	}
	for _, tt := range tests {
		ios, _, out, _ := iostreams.Test()
		if err := PrintItem(New(ios, tt.format), executions[1], executionColumns...); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.format, out, tt.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	var f Format
	v := NewFormatValue(&f, Table)
	if v.String() != "table" {
		t.Errorf("default = %q", v.String())
	}
	if err := v.Set("jsonl"); err != nil || f != JSONL {
		t.Errorf("Set(jsonl): f = %q, err = %v", f, err)
	}
	err := v.Set("yaml")
	if err == nil || err.Error() != "must be one of table, json, jsonl" {
		t.Errorf("Set(yaml) error = %v", err)
	}
	if f != JSONL {
		t.Errorf("failed Set changed the value to %q", f)
	}
}
