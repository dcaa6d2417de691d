package jsonata

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// conformanceDir holds executions recorded against AWS Step Functions.
const conformanceDir = "../../../../shared/conformance-jsonata/cases"

// TestAWSConformance evaluates the Output of the single Pass state of each
// recorded execution that uses the Step Functions functions or regexes, and
// compares with what AWS returned (or with the error text AWS printed).
func TestAWSConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "*.json"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no conformance cases in %s", conformanceDir)
		}
		t.Skipf("no conformance cases in %s; skipping", conformanceDir)
	}
	ran := 0
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasPrefix(base, "intrinsic_") && !strings.HasPrefix(base, "evaluate_jsonata__test_base_jsonata_regular") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Definition struct {
				States map[string]struct {
					Type   string
					Output any
				}
			}
			Input    any
			Expected struct {
				Status string
				Output any
				Cause  string
			}
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		if len(c.Definition.States) != 1 {
			continue
		}
		for _, st := range c.Definition.States {
			if st.Type != "Pass" {
				continue
			}
			ran++
			t.Run(strings.TrimSuffix(base, ".json"), func(t *testing.T) {
				got, err := evalTemplate(st.Output, c.Input)
				if c.Expected.Status == "FAILED" {
					if err == nil || !strings.HasSuffix(c.Expected.Cause, err.Error()) {
						t.Fatalf("want cause ending %q, got %v (result %v)", c.Expected.Cause, err, got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				want := normalise(c.Expected.Output)
				if !reflect.DeepEqual(normalise(got), want) {
					t.Fatalf("want %s, got %s", value.MustEncodeString(want), value.MustEncodeString(got))
				}
			})
		}
	}
	if ran == 0 {
		t.Fatal("no conformance case ran")
	}
}

// evalTemplate evaluates a Step Functions JSONata template: strings in
// {% %} are expressions, everything else is literal.
func evalTemplate(tmpl any, input any) (any, error) {
	switch x := tmpl.(type) {
	case string:
		if !strings.HasPrefix(x, "{%") || !strings.HasSuffix(x, "%}") {
			return x, nil
		}
		e, err := Compile(strings.TrimSpace(x[2 : len(x)-2]))
		if err != nil {
			return nil, err
		}
		states := map[string]any{"input": input}
		v, _, err := e.Eval(nil, &Bindings{Vars: map[string]any{"states": states}}, &Options{Functions: AWSFuncSet})
		return v, err
	case map[string]any:
		out := map[string]any{}
		for k, v := range x {
			r, err := evalTemplate(v, input)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return tmpl, nil
}

// normalise re-decodes a value so that numbers compare as float64.
func normalise(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func TestAWSFunctions(t *testing.T) {
	opts := &Options{Functions: AWSFuncSet, Now: func() time.Time { return time.UnixMilli(0) }}
	cases := []struct {
		expr string
		want string
	}{
		{`$partition([1,2,3,4,5,6,7,8,9], 3)`, `[[1,2,3],[4,5,6],[7,8,9]]`},
		{`$partition([1,2,3,4], 3)`, `[[1,2,3],[4]]`},
		{`$partition([], 3)`, `[]`},
		{`$partition([1,2], 1e300)`, `[[1,2]]`},
		{`$range(0, 10, 2)`, `[0,2,4,6,8,10]`},
		{`$range(10, 0, -5)`, `[10,5,0]`},
		{`$range(1, 3)`, `[1,2,3]`},
		{`$hash('input data', 'MD5')`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{`$hash('input data', 'SHA-1')`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{`$hash('input data', 'SHA-256')`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{`$parse('{"b":1,"a":[true,null]}')`, `{"a":[true,null],"b":1}`},
		{`$random(42) = $random(42)`, `true`},
		{`$random() < 1`, `true`},
		{`$length($uuid())`, `36`},
		{`$substring($uuid(), 14, 1)`, `"4"`},
	}
	for _, c := range cases {
		e := MustCompile(c.expr)
		got, _, err := e.Eval(nil, nil, opts)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if s := value.MustEncodeString(got); s != c.want {
			t.Errorf("%s = %s, want %s", c.expr, s, c.want)
		}
	}
	if _, _, err := MustCompile(`$eval('1')`).Eval(nil, nil, opts); err == nil || err.(*Error).Code != "T1006" {
		t.Errorf("$eval must be absent under AWSFuncSet, got %v", err)
	}
	for _, bad := range []string{`$partition([1], 0)`, `$hash('x', 'SHA-3')`, `$parse('{')`, `$range(1, 2, 0)`} {
		if _, _, err := MustCompile(bad).Eval(nil, nil, opts); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
