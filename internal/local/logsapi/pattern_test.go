package logsapi

import "testing"

func TestPatternMatch(t *testing.T) {
	rec := `{"id":"3","type":"TaskFailed","details":{"error":"Payment.Declined","retries":[1,2]},"count":7,"ok":false,"note":null,"execution_arn":"arn:aws:states:us-east-1:1:express:M:o-1:u"}`
	for _, tc := range []struct {
		pattern string
		msg     string
		want    bool
	}{
		{"", "anything", true},
		{"TaskFailed", rec, true},
		{"TaskFailed Payment.Declined", rec, true},
		{"TaskFailed Refused", rec, false},
		{`"Payment.Declined"`, rec, true},
		{`"Payment Declined"`, rec, false},
		{"?Refused ?Declined", rec, true},
		{"?Refused ?Timeout", rec, false},
		{"TaskFailed -Declined", rec, false},
		{"taskfailed", rec, false}, // case-sensitive
		{`{ $.type = "TaskFailed" }`, rec, true},
		{`{$.type="TaskSucceeded"}`, rec, false},
		{`{ $.type != "TaskSucceeded" }`, rec, true},
		{`{ $.details.error = "Payment.*" }`, rec, true},
		{`{ $.details.error = "*.Declined" }`, rec, true},
		{`{ $.details.error = "Pay*Dec*" }`, rec, true},
		{`{ $.details.error = "Refund.*" }`, rec, false},
		{`{ $.execution_arn = "arn:aws:states:us-east-1:1:express:M:*" }`, rec, true},
		{`{ $.details.retries[1] = 2 }`, rec, true},
		{`{ $.details.retries[5] = 2 }`, rec, false},
		{`{ $.count > 5 && $.count <= 7 }`, rec, true},
		{`{ $.count > 7 || $.type = "TaskFailed" }`, rec, true},
		{`{ $.count > 7 || $.type = "X" && $.id = "3" }`, rec, false},
		{`{ $.id >= 3 }`, rec, true},
		{`{ $.ok = false }`, rec, true},
		{`{ $.note = null }`, rec, true},
		{`{ $.missing = "x" }`, rec, false},
		{`{ $.type = "TaskFailed" }`, "not json", false},
		{`{ $.type = "a&&b" }`, `{"type":"a&&b"}`, true},
	} {
		p, err := Compile(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := p.Match(tc.msg); got != tc.want {
			t.Errorf("%s on %s: %v, want %v", tc.pattern, tc.msg, got, tc.want)
		}
	}
}

func TestPatternRefused(t *testing.T) {
	for _, p := range []string{`[ip, user]`, `%ab+c%`, `{ $.a = "x"`, `{ ($.a = "x") }`, `{ $.a ~ "x" }`, `{ a = "x" }`, `{ $.a > "x" }`, `"open`, `{ $.a[x] = 1 }`} {
		if _, err := Compile(p); err == nil {
			t.Errorf("%s compiled", p)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"", "a b", `"q r"`, "?a -b", `{ $.a.b[0] = "x*" && $.c > 1 || $.d != 2 }`, `{$.a=1}`, "[a]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		p.Match(`{"a":{"b":["x1"]},"c":2,"d":"2"}`)
		p.Match(pattern)
	})
}
