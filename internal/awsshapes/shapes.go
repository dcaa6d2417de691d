package awsshapes

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed shapes.txt
var table string

// Type is the type of a shape.
type Type uint8

// The shape types. Structure, Union, List, Map and Enum shapes have a name
// in their model; the others are primitives.
const (
	Structure Type = iota + 1
	Union
	List
	Map
	Enum
	String
	Integer
	Long
	Float
	Double
	Boolean
	Timestamp
	Blob
	Document
)

var typeNames = [...]string{
	Structure: "structure", Union: "union", List: "list", Map: "map", Enum: "enum",
	String: "string", Integer: "integer", Long: "long", Float: "float", Double: "double",
	Boolean: "boolean", Timestamp: "timestamp", Blob: "blob", Document: "document",
}

// String returns the type's name as the table writes it.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "unknown"
}

// Shape is the shape of a value in an API's input or output. Shapes may
// refer to themselves (a DynamoDB AttributeValue holds a list of them):
// walk them with a depth limit. Shapes are shared by every caller: read
// them, never change them.
type Shape struct {
	// Name is the model's name of a structure, union, list, map or enum;
	// primitives have none.
	Name string
	Type Type
	// Members of a structure or union, in the model's order.
	Members []Member
	// Elem is a list's element.
	Elem *Shape
	// Key and Value are a map's.
	Key, Value *Shape
	// Values are an enum's values.
	Values []string
}

// Member is one member of a structure or union.
type Member struct {
	// Name is the member's name as Step Functions writes it: the model's
	// name with its first letter in upper case.
	Name string
	// ModelName is the name in the model (executionArn for ExecutionArn).
	ModelName string
	Shape     *Shape
	Required  bool
	// Min and Max bound a string's or blob's length, or a number's value,
	// when HasMin and HasMax say so (the model's length and range traits).
	Min, Max       float64
	HasMin, HasMax bool
}

// Member returns the member called name (as Step Functions writes it).
func (s *Shape) Member(name string) (Member, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}

// Operation is one API operation.
type Operation struct {
	// Service is the model's folder in api-models-aws: sqs, eventbridge,
	// secrets-manager.
	Service string
	// Name is the model's name: SendMessage.
	Name string
	// Input and Output are structures, nil when the operation takes or
	// returns nothing.
	Input, Output *Shape
}

// Lookup returns the operation action of service, as a Task's Resource
// names them (see the package doc).
func Lookup(service, action string) (*Operation, bool) {
	sec := sectionNamed(service)
	if sec == nil {
		return nil, false
	}
	op, ok := sec.load().ops[strings.ToLower(action)]
	return op, ok
}

// Output returns the output shape of an operation; ok is false when the
// table does not know the operation or it returns nothing.
func Output(service, action string) (*Shape, bool) {
	op, ok := Lookup(service, action)
	if !ok || op.Output == nil {
		return nil, false
	}
	return op.Output, true
}

// Input returns the input shape of an operation; ok is false when the
// table does not know the operation or it takes nothing.
func Input(service, action string) (*Shape, bool) {
	op, ok := Lookup(service, action)
	if !ok || op.Input == nil {
		return nil, false
	}
	return op.Input, true
}

// Known reports whether the table has the service at all, so that a
// caller can tell an unknown action from an unknown service.
func Known(service string) bool { return sectionNamed(service) != nil }

// Source returns the repository and commit the table was generated from,
// as its header names them.
func Source() string {
	for _, line := range strings.Split(table[:min(len(table), 1024)], "\n") {
		if rest, ok := strings.CutPrefix(line, "# Source: "); ok {
			return strings.TrimSuffix(rest, ".")
		}
	}
	return ""
}

// sfnName is a member's name as Step Functions writes it.
func sfnName(model string) string {
	r, n := utf8.DecodeRuneInString(model)
	if unicode.IsUpper(r) {
		return model
	}
	return string(unicode.ToUpper(r)) + model[n:]
}

var (
	indexOnce sync.Once
	byName    map[string]*section
)

// sectionNamed finds a service by its aws-sdk or optimized name.
func sectionNamed(name string) *section {
	indexOnce.Do(index)
	return byName[strings.ToLower(name)]
}
