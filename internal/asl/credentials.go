package asl

import (
	"github.com/yafdp/yafdp/internal/asl/intrinsic"
)

// credentials is a Task's Credentials field: the role the task runs
// under, {"RoleArn": ...}, written as a literal, a JSONPath ("RoleArn.$")
// or a JSONata expression. The engine calls no AWS service itself, so the
// role is evaluated and recorded on the TaskScheduled event
// (taskCredentials), as Step Functions records it.
type credentials struct {
	jsonpath *template
	jsonata  *jfield
}

// credentials reads a Task's Credentials field.
func (p *parser) credentials(f *fields, s *State) {
	v, ok := f.raw("Credentials")
	if !ok {
		return
	}
	obj, ok := v.(map[string]any)
	where := f.at("Credentials")
	if !ok {
		p.addf(where, "must be an object with RoleArn, the role the task runs under")
		return
	}
	_, lit := obj["RoleArn"]
	_, path := obj["RoleArn.$"]
	switch {
	case !lit && !path:
		p.addf(where, "The field 'RoleArn' is required but was missing")
		return
	case len(obj) > 1:
		p.addf(where, "must hold RoleArn alone")
		return
	}
	c := &credentials{}
	if s.jsonata {
		if c.jsonata = p.compileJ(where, "Credentials", obj, roleInput); c.jsonata == nil {
			return
		}
	} else {
		t, err := intrinsic.CompileTemplate(obj)
		if err != nil {
			p.addf(where, "%v", err)
			return
		}
		c.jsonpath = &template{t: t}
		scanTemplate(obj, false, c.jsonpath)
	}
	s.credentials = c
}

// roleARN evaluates a Task's Credentials for the TaskScheduled event: the
// role, or "" when it does not evaluate to a string.
func (x *Execution) roleARN(f *frame, c *credentials) (string, *failure) {
	var v any
	if c.jsonata != nil {
		var bad *evalFailure
		if v, bad = x.evalField(f, c.jsonata); bad != nil {
			fl := x.queryFailure(f, bad)
			return "", &fl
		}
	} else {
		var fl *failure
		if v, fl = x.evalTemplate(f, c.jsonpath, f.input, nil); fl != nil {
			return "", fl
		}
	}
	obj, _ := v.(map[string]any)
	role, _ := obj["RoleArn"].(string)
	return role, nil
}
