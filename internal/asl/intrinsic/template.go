package intrinsic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Template is a compiled payload template: the value of Parameters,
// ResultSelector, ItemSelector or a Map state's legacy Parameters.
//
// In a template, an object key ending in ".$" takes its value from a path
// ("$..." on the input, "$$..." on the context object) or an intrinsic
// function call, and loses the ".$" in the output. Every other key keeps its
// literal value. Objects and arrays are walked to any depth.
type Template struct {
	lit    any // the template as given
	root   node
	static bool
}

type nodeKind uint8

const (
	nodeLiteral nodeKind = iota
	nodeObject
	nodeArray
	nodePath
	nodeCall
)

type node struct {
	kind   nodeKind
	lit    any            // nodeLiteral
	fields []field        // nodeObject
	shape  *string        // nodeObject: its member names, interned (MapPool)
	names  []string       // nodeObject: its member names in fields' order (records)
	elems  []node         // nodeArray
	path   *jsonpath.Path // nodePath
	call   *Func          // nodeCall
	key    string         // nodePath: the template key, ".$" included, for errors
}

type field struct {
	name string
	node node
}

// CompileTemplate compiles a payload template. v is the decoded JSON of the
// field. An error is one line naming the offending key.
func CompileTemplate(v any) (*Template, error) {
	n, err := compileNode(v, "")
	if err != nil {
		return nil, err
	}
	return &Template{lit: v, root: n, static: n.kind == nodeLiteral}, nil
}

// Static reports whether the template has no ".$" key anywhere, in which
// case Eval returns the literal itself.
func (t *Template) Static() bool { return t.static }

// Eval builds the payload. A path that matches nothing, or an intrinsic call
// that fails, fails with a *states.Error named States.Runtime.
func (t *Template) Eval(env *Env) (any, error) {
	if t.static {
		return t.lit, nil
	}
	if env == nil {
		env = &Env{}
	}
	return t.root.eval(env)
}

// MayHoldInput reports whether the payload Eval builds may hold Env.Input
// itself, rather than only values below it or built afresh: whether some
// path on the input, or an intrinsic argument on it, may yield its root
// (see jsonpath.Path.BelowRoot). Paths on the context object never do.
func (t *Template) MayHoldInput() bool { return t.root.mayHoldInput() }

func (n *node) mayHoldInput() bool {
	switch n.kind {
	case nodeObject:
		for i := range n.fields {
			if n.fields[i].node.mayHoldInput() {
				return true
			}
		}
	case nodeArray:
		for i := range n.elems {
			if n.elems[i].mayHoldInput() {
				return true
			}
		}
	case nodePath:
		return !n.path.IsContext() && !n.path.BelowRoot()
	case nodeCall:
		return n.call.mayHoldInput()
	}
	return false
}

// noteHeld sets Held when v is an object or an array.
func (env *Env) noteHeld(v any) {
	switch v.(type) {
	case map[string]any, []any:
		env.Held = true
	}
}

func joinLoc(loc, key string) string {
	if loc == "" {
		return key
	}
	return loc + "." + key
}

func compileNode(v any, loc string) (node, error) {
	switch x := v.(type) {
	case map[string]any:
		keys := sortedKeys(x)
		n := node{kind: nodeObject, fields: make([]field, 0, len(x))}
		static := true
		seen := make(map[string]string, len(x))
		for _, k := range keys {
			kloc := joinLoc(loc, k)
			name := k
			var child node
			if strings.HasSuffix(k, ".$") {
				name = k[:len(k)-2]
				c, err := compileDynamic(x[k], k, kloc)
				if err != nil {
					return node{}, err
				}
				child = c
			} else {
				c, err := compileNode(x[k], kloc)
				if err != nil {
					return node{}, err
				}
				child = c
			}
			if other, dup := seen[name]; dup {
				return node{}, fmt.Errorf("payload template: fields %q and %q both produce the key %q; keep one", joinLoc(loc, other), kloc, name)
			}
			seen[name] = k
			if child.kind != nodeLiteral {
				static = false
			}
			n.fields = append(n.fields, field{name: name, node: child})
		}
		if static {
			return node{kind: nodeLiteral, lit: v}, nil
		}
		n.shape = internShape(n.fields)
		n.names = make([]string, len(n.fields))
		for i := range n.fields {
			n.names[i] = n.fields[i].name
		}
		return n, nil
	case []any:
		n := node{kind: nodeArray, elems: make([]node, len(x))}
		static := true
		for i, e := range x {
			c, err := compileNode(e, loc+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return node{}, err
			}
			if c.kind != nodeLiteral {
				static = false
			}
			n.elems[i] = c
		}
		if static {
			return node{kind: nodeLiteral, lit: v}, nil
		}
		return n, nil
	}
	return node{kind: nodeLiteral, lit: v}, nil
}

// compileDynamic compiles the value of a ".$" key.
func compileDynamic(v any, key, loc string) (node, error) {
	s, ok := v.(string)
	switch {
	case !ok:
		return node{}, fmt.Errorf("payload template: field %q: the value of a key ending in '.$' must be a string holding a JSONPath or an intrinsic function call, got %s", loc, value.TypeName(v))
	case IsIntrinsic(s):
		f, err := Parse(s)
		if err != nil {
			return node{}, fmt.Errorf("payload template: field %q: %w", loc, err)
		}
		return node{kind: nodeCall, call: f, key: key}, nil
	case strings.HasPrefix(s, "$"):
		p, err := jsonpath.Compile(s)
		if err != nil {
			return node{}, fmt.Errorf("payload template: field %q: invalid JSONPath: %w", loc, err)
		}
		return node{kind: nodePath, path: p, key: key}, nil
	}
	return node{}, fmt.Errorf("payload template: field %q: the value %q must be a JSONPath ($...) or an intrinsic function call (States....); drop the '.$' from the key to use it literally", loc, s)
}

func (n *node) eval(env *Env) (any, error) {
	switch n.kind {
	case nodeObject:
		if env.Records != nil {
			return n.evalRecord(env)
		}
		var m map[string]any
		at, same := 0, false
		if env.Maps != nil {
			m, at, same = env.Maps.get(n)
		} else {
			m = make(map[string]any, len(n.fields))
		}
		for i := range n.fields {
			f := &n.fields[i]
			if same && f.node.kind == nodeLiteral {
				continue // n put it there last time, and it never changes
			}
			v, err := f.node.eval(env)
			if err != nil {
				if env.Maps != nil {
					env.Maps.spoil(at)
				}
				return nil, err
			}
			m[f.name] = v
		}
		return m, nil
	case nodeArray:
		a := make([]any, len(n.elems))
		for i := range n.elems {
			v, err := n.elems[i].eval(env)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	case nodePath:
		root := env.root(n.path)
		if n.path.Variable() != "" {
			var bad *states.Error
			if root, bad = env.variable(n.path); bad != nil {
				return nil, bad
			}
		}
		v, err := n.path.Get(root)
		if err != nil {
			if notFound(err) {
				return nil, &states.Error{Name: states.Runtime, Cause: fmt.Sprintf(
					"The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
					n.path.String(), n.key, encodeForMessage(env.Input))}
			}
			return nil, &states.Error{Name: states.Runtime, Cause: fmt.Sprintf(
				"Invalid path '%s' specified for the field '%s': %v", n.path.String(), n.key, err)}
		}
		env.noteHeld(v)
		return v, nil
	case nodeCall:
		v, err := n.call.Eval(env)
		env.noteHeld(v)
		return v, err
	}
	return n.lit, nil
}

// evalRecord builds the object as a record from env.Records.
func (n *node) evalRecord(env *Env) (any, error) {
	r := env.Records.get(len(n.fields))
	r.Names = n.names
	for i := range n.fields {
		v, err := n.fields[i].node.eval(env)
		if err != nil {
			return nil, err
		}
		r.Values[i] = v
	}
	return r, nil
}

// shapes interns the member names of template objects: objects with the
// same names share one *string. It holds one entry per set of names ever
// compiled, a few per state machine.
var shapes sync.Map

func internShape(fields []field) *string {
	names := make([]string, len(fields))
	for i := range fields {
		names[i] = fields[i].name
	}
	slices.Sort(names)
	key := strings.Join(names, "\x00")
	v, _ := shapes.LoadOrStore(key, &key)
	return v.(*string)
}
