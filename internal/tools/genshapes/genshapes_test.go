package main

import (
	"os"
	"strings"
	"testing"
)

// A tiny Smithy model with what the generator must handle: camelCase
// members, required members, a prelude target, a Smithy 1.0 string enum,
// an enum shape, a recursive union, a list, a map, a unit output, and
// bounds on a target and on a member.
const tinyModel = `{"smithy": "2.0", "shapes": {
  "com.example#Svc": {"type": "service", "version": "2020-01-01",
    "traits": {"aws.api#service": {"sdkId": "Example Thing", "arnNamespace": "example"}}},
  "com.example#Get": {"type": "operation",
    "input": {"target": "com.example#GetInput"}, "output": {"target": "com.example#GetOutput"}},
  "com.example#Forget": {"type": "operation",
    "input": {"target": "com.example#GetInput"}, "output": {"target": "smithy.api#Unit"}},
  "com.example#GetInput": {"type": "structure", "members": {
    "zeta": {"target": "com.example#Name", "traits": {"smithy.api#required": {}}},
    "alpha": {"target": "smithy.api#PrimitiveBoolean"}}},
  "com.example#GetOutput": {"type": "structure", "members": {
    "status": {"target": "com.example#Status"},
    "kind": {"target": "com.example#Kind"},
    "value": {"target": "com.example#Value"},
    "tags": {"target": "com.example#Tags"},
    "when": {"target": "com.example#When"},
    "size": {"target": "com.example#Size", "traits": {"smithy.api#range": {"max": 20}}},
    "label": {"target": "smithy.api#String", "traits": {"smithy.api#length": {"min": 1}}}}},
  "com.example#Size": {"type": "integer", "traits": {"smithy.api#range": {"min": 1, "max": 10}}},
  "com.example#Name": {"type": "string"},
  "com.example#When": {"type": "timestamp"},
  "com.example#Status": {"type": "enum", "members": {
    "OK": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "ok"}},
    "BAD": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "not ok"}}}},
  "com.example#Kind": {"type": "string", "traits": {"smithy.api#enum": [{"value": "A"}, {"value": "B"}]}},
  "com.example#Value": {"type": "union", "members": {
    "S": {"target": "smithy.api#String"}, "L": {"target": "com.example#Values"}}},
  "com.example#Values": {"type": "list", "member": {"target": "com.example#Value"}},
  "com.example#Tags": {"type": "map", "key": {"target": "com.example#Name"}, "value": {"target": "smithy.api#Long"}}
}}`

func TestBuild(t *testing.T) {
	tab, err := build(service{dir: "example", optimized: "ex"}, []byte(tinyModel))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	tab.write(&b)
	want := `
service example 2020-01-01 sdk=examplething optimized=ex
op Forget GetInput -
op Get GetInput GetOutput
structure GetInput zeta!:string alpha:boolean
structure GetOutput status:Status kind:Kind value:Value tags:Tags when:timestamp size:integer[1,20] label:string[1,]
enum Kind A B
enum Status ok "not ok"
map Tags string long
union Value S:string L:Values
list Values Value
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestBuildErrors(t *testing.T) {
	for model, want := range map[string]string{
		`{"shapes": {}}`: "no shapes",
		`{"shapes": {"a#X": {"type": "string"}}}`:                                                     "no service",
		`{"shapes": {"a#S": {"type": "service"}}}`:                                                    "no aws.api#service sdkId",
		strings.Replace(tinyModel, `"com.example#Name"}, "value"`, `"com.example#Nope"}, "value"`, 1): "no shape com.example#Nope",
	} {
		if _, err := build(service{dir: "x"}, []byte(model)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60s: %v, want %q", model, err, want)
		}
	}
	_, err := build(service{dir: "x", ops: []string{"Get", "Gone"}}, []byte(tinyModel))
	if err == nil || !strings.Contains(err.Error(), "1 of the 2 operations") {
		t.Errorf("a listed operation missing from the model: %v", err)
	}
}

// TestTableMatchesServices fails when services.go changed and the table
// was not regenerated.
func TestTableMatchesServices(t *testing.T) {
	data, err := os.ReadFile("../../awsshapes/shapes.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{} // dir -> its service line
	missing := ""
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "service "); ok {
			dir, _, _ := strings.Cut(rest, " ")
			lines[dir] = line
		}
		if rest, ok := strings.CutPrefix(line, "# Not in this snapshot"); ok {
			missing = rest
		}
	}
	for _, svc := range services {
		line, ok := lines[svc.dir]
		switch {
		case !ok && svc.optional && strings.Contains(missing, svc.dir):
		case !ok:
			t.Errorf("shapes.txt has no section for %s: run genshapes", svc.dir)
		case svc.optimized != "" && !strings.HasSuffix(line, " optimized="+svc.optimized):
			t.Errorf("%q: want optimized=%s: run genshapes", line, svc.optimized)
		}
		delete(lines, svc.dir)
	}
	for dir := range lines {
		t.Errorf("shapes.txt has %s, which services.go does not list: run genshapes", dir)
	}
	if !strings.Contains(string(data), "# Source: github.com/aws/api-models-aws at commit ") {
		t.Error("shapes.txt does not name its source")
	}
}
