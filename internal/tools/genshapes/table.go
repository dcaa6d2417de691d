package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// table is one service's section of the shapes file.
type table struct {
	svc      service
	version  string
	sdkName  string
	ops      []string          // "op NAME INPUT OUTPUT" lines
	shapes   map[string]string // local name -> its line
	ids      map[string]string // local name -> full shape id
	model    *model
	pending  []string // shape ids still to write
	wantedOp map[string]bool
}

// build turns a service's Smithy model into its section of the table.
func build(svc service, data []byte) (*table, error) {
	m, err := parseModel(data)
	if err != nil {
		return nil, err
	}
	id, s, err := m.service()
	if err != nil {
		return nil, err
	}
	var st serviceTrait
	if raw, ok := s.Traits["aws.api#service"]; ok {
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("%s: aws.api#service: %w", id, err)
		}
	}
	if st.SDKID == "" {
		return nil, fmt.Errorf("%s has no aws.api#service sdkId", id)
	}
	t := &table{svc: svc, version: s.Version, sdkName: sdkName(st.SDKID), model: m,
		shapes: map[string]string{}, ids: map[string]string{}}
	if len(svc.ops) > 0 {
		t.wantedOp = map[string]bool{}
		for _, op := range svc.ops {
			t.wantedOp[op] = true
		}
	}
	if err := t.operations(namespace(id)); err != nil {
		return nil, err
	}
	return t, t.drain()
}

// sdkName is the service's name in aws-sdk resources
// (arn:aws:states:::aws-sdk:NAME:action): the model's sdkId in lower case
// without spaces or hyphens, as the AWS SDK for Java 2.x names its
// packages and Step Functions' list of supported services shows
// ("Secrets Manager" is secretsmanager, "CloudWatch Logs" cloudwatchlogs,
// "SFN" sfn, "Bedrock Runtime" bedrockruntime).
func sdkName(sdkID string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.ToLower(sdkID))
}

func namespace(id string) string {
	ns, _, _ := strings.Cut(id, "#")
	return ns
}

func localName(id string) string {
	_, name, _ := strings.Cut(id, "#")
	return name
}

// operations adds the op lines, sorted by name, and queues their shapes.
func (t *table) operations(ns string) error {
	var ids []string
	for id, s := range t.model.Shapes {
		if s.Type == "operation" && namespace(id) == ns && (t.wantedOp == nil || t.wantedOp[localName(id)]) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if t.wantedOp != nil && len(ids) != len(t.wantedOp) {
		return fmt.Errorf("%d of the %d operations listed in services.go are in the model; check their names", len(ids), len(t.wantedOp))
	}
	for _, id := range ids {
		s := t.model.Shapes[id]
		in, err := t.opShape(s.Input)
		if err != nil {
			return fmt.Errorf("%s input: %w", id, err)
		}
		out, err := t.opShape(s.Output)
		if err != nil {
			return fmt.Errorf("%s output: %w", id, err)
		}
		t.ops = append(t.ops, fmt.Sprintf("op %s %s %s", localName(id), in, out))
	}
	return nil
}

// opShape names an operation's input or output: "-" for none.
func (t *table) opShape(r *ref) (string, error) {
	if r == nil || r.Target == "smithy.api#Unit" {
		return "-", nil
	}
	return t.typeRef(r.Target)
}

// primitives maps Smithy's simple types to the table's: the table keeps
// the distinctions JSON results and TestState's checks make.
var primitives = map[string]string{
	"string": "string", "blob": "blob", "boolean": "boolean", "timestamp": "timestamp", "document": "document",
	"byte": "integer", "short": "integer", "integer": "integer", "intEnum": "integer",
	"long": "long", "bigInteger": "long", "float": "float", "double": "double", "bigDecimal": "double",
}

// typeRef returns how a member refers to target: a primitive's keyword, or
// the local name of a shape written in the section.
func (t *table) typeRef(target string) (string, error) {
	if name, ok := strings.CutPrefix(target, "smithy.api#"); ok {
		p, ok := primitives[lowerFirst(strings.TrimPrefix(name, "Primitive"))]
		if !ok {
			return "", fmt.Errorf("unknown prelude shape %s", target)
		}
		return p, nil
	}
	s, ok := t.model.Shapes[target]
	if !ok {
		return "", fmt.Errorf("no shape %s", target)
	}
	if p, ok := primitives[s.Type]; ok && !(s.Type == "string" && s.Traits["smithy.api#enum"] != nil) {
		return p, nil
	}
	name := localName(target)
	if _, clash := primitives[name]; clash {
		return "", fmt.Errorf("shape %s is named as a primitive type", target)
	}
	switch prev, seen := t.ids[name]; {
	case seen && prev != target:
		return "", fmt.Errorf("shapes %s and %s have the same name", prev, target)
	case !seen:
		t.ids[name] = target
		t.pending = append(t.pending, target)
	}
	return name, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// drain writes the line of every queued shape, queueing those it refers to.
func (t *table) drain() error {
	for len(t.pending) > 0 {
		id := t.pending[0]
		t.pending = t.pending[1:]
		line, err := t.line(id, t.model.Shapes[id])
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		t.shapes[localName(id)] = line
	}
	return nil
}

// line renders one aggregate or enum shape.
func (t *table) line(id string, s *rawShape) (string, error) {
	name := localName(id)
	switch s.Type {
	case "structure", "union":
		return t.structure(s.Type+" "+name, s.Members)
	case "list", "set":
		elem, err := t.typeRef(s.Member.Target)
		return "list " + name + " " + elem, err
	case "map":
		k, err := t.typeRef(s.Key.Target)
		if err != nil {
			return "", err
		}
		v, err := t.typeRef(s.Value.Target)
		return "map " + name + " " + k + " " + v, err
	case "enum", "string":
		return "enum " + name + enumValues(s), nil
	}
	return "", fmt.Errorf("unexpected shape type %q", s.Type)
}

func (t *table) structure(head string, ms members) (string, error) {
	var b strings.Builder
	b.WriteString(head)
	for _, m := range ms {
		typ, err := t.typeRef(m.Target)
		if err != nil {
			return "", fmt.Errorf("member %s: %w", m.Name, err)
		}
		b.WriteString(" " + m.Name)
		if m.has("smithy.api#required") {
			b.WriteString("!")
		}
		b.WriteString(":" + typ + t.bounds(typ, m))
	}
	return b.String(), nil
}

// bounded are the primitives whose members may carry bounds: a length
// for strings and blobs, a range for numbers.
var bounded = map[string]string{
	"string": "smithy.api#length", "blob": "smithy.api#length",
	"integer": "smithy.api#range", "long": "smithy.api#range", "float": "smithy.api#range", "double": "smithy.api#range",
}

// bounds renders a primitive member's length or range as "[MIN,MAX]"
// (either may be empty), or "" when it has none. The member's own trait
// overrides its target's, bound by bound, as Smithy applies them.
func (t *table) bounds(typ string, m *ref) string {
	trait, ok := bounded[typ]
	if !ok {
		return ""
	}
	var min, max *float64
	read := func(raw json.RawMessage) {
		var b struct{ Min, Max *float64 }
		if json.Unmarshal(raw, &b) != nil {
			return
		}
		if b.Min != nil {
			min = b.Min
		}
		if b.Max != nil {
			max = b.Max
		}
	}
	if target, ok := t.model.Shapes[m.Target]; ok {
		if raw, ok := target.Traits[trait]; ok {
			read(raw)
		}
	}
	if raw, ok := m.Traits[trait]; ok {
		read(raw)
	}
	if min == nil && max == nil {
		return ""
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return "[" + num(min) + "," + num(max) + "]"
}

// enumValues lists an enum's values, each after a space; a value that is
// empty or holds a space, quote or backslash is written as a Go string.
func enumValues(s *rawShape) string {
	var values []string
	if s.Type == "enum" {
		for _, m := range s.Members {
			v := m.Name
			if raw, ok := m.Traits["smithy.api#enumValue"]; ok {
				_ = json.Unmarshal(raw, &v)
			}
			values = append(values, v)
		}
	} else {
		var defs []enumTrait
		_ = json.Unmarshal(s.Traits["smithy.api#enum"], &defs)
		for _, d := range defs {
			values = append(values, d.Value)
		}
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteByte(' ')
		if v == "" || strings.ContainsAny(v, " \"\\\t\n") || !strconv.IsPrint(firstRune(v)) {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return ' '
}

// write renders the section: the service line, its operations, and its
// shapes sorted by name.
func (t *table) write(w io.Writer) {
	fmt.Fprintf(w, "\nservice %s %s sdk=%s", t.svc.dir, t.version, t.sdkName)
	if t.svc.optimized != "" {
		fmt.Fprintf(w, " optimized=%s", t.svc.optimized)
	}
	fmt.Fprintln(w)
	for _, op := range t.ops {
		fmt.Fprintln(w, op)
	}
	names := make([]string, 0, len(t.shapes))
	for n := range t.shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, t.shapes[n])
	}
}
