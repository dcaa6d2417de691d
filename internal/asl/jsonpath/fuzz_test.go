package jsonpath

import (
	"errors"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// fuzzDoc is small on purpose: each ".." multiplies the work by its size.
const fuzzDoc = `{"a":{"b":[1,"x",{"c":null}],"d":true},"e":[[0,1],{"f":2.5}],"g h":"s","0":-1}`

// FuzzCompile checks that Compile never panics, that its errors are one-line
// *SyntaxErrors, and that Get and Set of a compiled path never panic nor
// change their input.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$.a", "$.a.b[0]", "$['a']['b'][-1]", `$["g h"]`, "$.a['b','d']",
		"$.*", "$[*]", "$..*", "$..b[0]", "$..[0].c", "$.e[0][1:]", "$.e[:1]", "$.a.b[-2:3]",
		"$.a.b[0,2]", "$.a.b[?(@.c == null)]", "$.e[?(@.f > 2 && @.f < 3 || !@.g)]",
		"$.e[?(@.f =~ /2\\..*/i)]", "$.a.b[?(@ == 'x')]", "$.e[?($.a.d == true)]",
		"$.e[?((@.f) && !(@.f != 2.5))]", `$[?(@.a.b[2].c == "y\u0041")]`, "$.a.b[?(@.c)][?(@.c)]",
		"$.a[", "$.a.length()", "$.a[?(@.b in [1])]", "$.a[::2]", "$['a\\'b']", "$...", "$.a b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q): %T is not a *SyntaxError", src, err)
			}
			if se.Offset < 0 || se.Offset > len(src) {
				t.Fatalf("Compile(%q): offset %d is outside the path", src, se.Offset)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("Compile(%q): the error has more than one line: %q", src, err.Error())
			}
			return
		}
		_ = p.Normalized()
		if strings.Count(src, "..") > 2 {
			return // valid but possibly exponential on any document
		}
		doc, err := value.DecodeString(fuzzDoc)
		if err != nil {
			t.Fatal(err)
		}
		before := value.MustEncodeString(doc)
		got, err := p.Get(doc)
		if !p.Definite() {
			if list, ok := got.([]any); !ok || list == nil || err != nil {
				t.Fatalf("Get(%q) = %#v, %v; want a []any", src, got, err)
			}
		} else if err != nil {
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("Get(%q): %T is not a *NotFoundError", src, err)
			}
		}
		if p.IsReference() {
			_, _ = p.Set(doc, "new")
			if !strings.Contains(p.Normalized(), `\`) {
				q, err := Compile(p.Normalized())
				if err != nil || q.Normalized() != p.Normalized() {
					t.Fatalf("Normalized %q of %q does not compile back: %v", p.Normalized(), src, err)
				}
			}
		}
		if after := value.MustEncodeString(doc); after != before {
			t.Fatalf("%q changed the document to %s", src, after)
		}
	})
}
