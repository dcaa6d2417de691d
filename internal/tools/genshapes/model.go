package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// model is the part of a Smithy JSON AST that the table needs.
type model struct {
	Shapes map[string]*rawShape `json:"shapes"`
}

// rawShape is one shape of a Smithy JSON model.
type rawShape struct {
	Type    string                     `json:"type"`
	Version string                     `json:"version"`
	Members members                    `json:"members"`
	Member  *ref                       `json:"member"`
	Key     *ref                       `json:"key"`
	Value   *ref                       `json:"value"`
	Input   *ref                       `json:"input"`
	Output  *ref                       `json:"output"`
	Traits  map[string]json.RawMessage `json:"traits"`
}

// ref is a member or a target: the shape it points at and its traits.
type ref struct {
	Name   string
	Target string                     `json:"target"`
	Traits map[string]json.RawMessage `json:"traits"`
}

func (r *ref) has(trait string) bool {
	_, ok := r.Traits[trait]
	return ok
}

// members keeps a structure's members in the model's order, which a Go
// map would lose.
type members []*ref

// UnmarshalJSON reads an object of members in document order.
func (m *members) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: not an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		r := &ref{Name: t.(string)}
		if err := dec.Decode(r); err != nil {
			return err
		}
		*m = append(*m, r)
	}
	_, err := dec.Token()
	return err
}

// serviceTrait is the aws.api#service trait of a service shape.
type serviceTrait struct {
	SDKID        string `json:"sdkId"`
	ARNNamespace string `json:"arnNamespace"`
}

// enumTrait is one value of the smithy.api#enum trait of a string shape
// (Smithy 1.0 enums, still found in some models).
type enumTrait struct {
	Value string `json:"value"`
}

func parseModel(data []byte) (*model, error) {
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not a Smithy JSON model: %w", err)
	}
	if len(m.Shapes) == 0 {
		return nil, fmt.Errorf("the model has no shapes")
	}
	return &m, nil
}

// service returns the model's service shape and its id.
func (m *model) service() (string, *rawShape, error) {
	var id string
	var svc *rawShape
	for k, s := range m.Shapes {
		if s.Type == "service" {
			if svc != nil {
				return "", nil, fmt.Errorf("the model has two services, %s and %s", id, k)
			}
			id, svc = k, s
		}
	}
	if svc == nil {
		return "", nil, fmt.Errorf("the model has no service shape")
	}
	return id, svc, nil
}
