package intrinsic

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// spec describes one intrinsic function: how many arguments it takes and
// which implementation runs it.
type spec struct {
	minArgs, maxArgs int // maxArgs < 0: no upper bound
	fn               fnID
}

type fnID uint8

const (
	fnFormat fnID = iota
	fnStringToJSON
	fnJSONToString
	fnArray
	fnArrayPartition
	fnArrayContains
	fnArrayRange
	fnArrayGetItem
	fnArrayLength
	fnArrayUnique
	fnBase64Encode
	fnBase64Decode
	fnHash
	fnJSONMerge
	fnMathRandom
	fnMathAdd
	fnStringSplit
	fnUUID
)

// specs maps every intrinsic function name to its spec.
var specs = map[string]*spec{
	"States.Format":         {1, -1, fnFormat},
	"States.StringToJson":   {1, 1, fnStringToJSON},
	"States.JsonToString":   {1, 1, fnJSONToString},
	"States.Array":          {0, -1, fnArray},
	"States.ArrayPartition": {2, 2, fnArrayPartition},
	"States.ArrayContains":  {2, 2, fnArrayContains},
	"States.ArrayRange":     {3, 3, fnArrayRange},
	"States.ArrayGetItem":   {2, 2, fnArrayGetItem},
	"States.ArrayLength":    {1, 1, fnArrayLength},
	"States.ArrayUnique":    {1, 1, fnArrayUnique},
	"States.Base64Encode":   {1, 1, fnBase64Encode},
	"States.Base64Decode":   {1, 1, fnBase64Decode},
	"States.Hash":           {2, 2, fnHash},
	"States.JsonMerge":      {3, 3, fnJSONMerge},
	"States.MathRandom":     {2, 3, fnMathRandom},
	"States.MathAdd":        {2, 2, fnMathAdd},
	"States.StringSplit":    {2, 2, fnStringSplit},
	"States.UUID":           {0, 0, fnUUID},
}

// run calls the implementation. A switch rather than a table of function
// values lets the compiler see that no implementation keeps args, so Eval's
// argument buffer stays on the stack.
func (f *Func) run(env *Env, args []any) (any, error) {
	switch f.spec.fn {
	case fnFormat:
		return runFormat(f, env, args)
	case fnStringToJSON:
		return runStringToJSON(f, env, args)
	case fnJSONToString:
		return runJSONToString(f, env, args)
	case fnArray:
		return runArray(f, env, args)
	case fnArrayPartition:
		return runArrayPartition(f, env, args)
	case fnArrayContains:
		return runArrayContains(f, env, args)
	case fnArrayRange:
		return runArrayRange(f, env, args)
	case fnArrayGetItem:
		return runArrayGetItem(f, env, args)
	case fnArrayLength:
		return runArrayLength(f, env, args)
	case fnArrayUnique:
		return runArrayUnique(f, env, args)
	case fnBase64Encode:
		return runBase64Encode(f, env, args)
	case fnBase64Decode:
		return runBase64Decode(f, env, args)
	case fnHash:
		return runHash(f, env, args)
	case fnJSONMerge:
		return runJSONMerge(f, env, args)
	case fnMathRandom:
		return runMathRandom(f, env, args)
	case fnMathAdd:
		return runMathAdd(f, env, args)
	case fnStringSplit:
		return runStringSplit(f, env, args)
	case fnUUID:
		return runUUID(f, env, args)
	}
	panic("intrinsic: no implementation for " + f.name)
}

// Eval runs the call. Every failure is a *states.Error named States.Runtime,
// with the cause Step Functions gives.
func (f *Func) Eval(env *Env) (any, error) {
	if env == nil {
		env = &Env{}
	}
	if n := len(f.args); n < f.spec.minArgs || f.spec.maxArgs >= 0 && n > f.spec.maxArgs {
		return nil, f.invalidArgs()
	}
	var buf [4]any
	args := buf[:0]
	if len(f.args) > len(buf) {
		args = make([]any, 0, len(f.args))
	}
	for i := range f.args {
		v, err := f.evalArg(&f.args[i], env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return f.run(env, args)
}

// root is what p reads: the context object for a $$ path, else the input.
// A $name path reads a variable instead (see variable); callers test for
// one first, which keeps root small enough to inline on the hot paths.
func (env *Env) root(p *jsonpath.Path) any {
	if p.IsContext() {
		return env.Context
	}
	return env.Input
}

// variable is the value of the variable a $name path reads.
func (env *Env) variable(p *jsonpath.Path) (any, *states.Error) {
	name := p.Variable()
	if env.Vars != nil {
		if v, ok := env.Vars(name); ok {
			return v, nil
		}
	}
	return nil, &states.Error{Name: states.Runtime, Cause: UndefinedVariable(p.String(), name)}
}

// UndefinedVariable is the cause of the failure of a path that reads a
// workflow variable that no state has assigned in scope.
func UndefinedVariable(path, name string) string {
	return fmt.Sprintf("The JSONPath '%s' references the variable '%s', which has not been assigned in this scope.", path, name)
}

// notFound reports whether err says that a path matched nothing.
func notFound(err error) bool {
	var nf *jsonpath.NotFoundError
	return errors.As(err, &nf)
}

func (f *Func) evalArg(a *arg, env *Env) (any, error) {
	switch a.kind {
	case argPath:
		root := env.root(a.path)
		if a.path.Variable() != "" {
			var bad *states.Error
			if root, bad = env.variable(a.path); bad != nil {
				return nil, bad
			}
		}
		v, err := a.path.Get(root)
		if err != nil {
			if notFound(err) {
				return nil, f.fail(fmt.Sprintf("The JsonPath argument for the field '%s' could not be found in the input '%s'",
					a.path.String(), encodeForMessage(env.Input)))
			}
			return nil, f.fail(fmt.Sprintf("Invalid path '%s' : %v", a.path.String(), err))
		}
		return v, nil
	case argCall:
		return a.call.Eval(env)
	}
	return a.val, nil
}

// mayHoldInput reports whether the call's result may hold Env.Input itself:
// an argument, or an argument of a nested call, is a path that may yield the
// input's root. No function builds its result from anything else.
func (f *Func) mayHoldInput() bool {
	for i := range f.args {
		a := &f.args[i]
		switch a.kind {
		case argPath:
			if !a.path.IsContext() && !a.path.BelowRoot() {
				return true
			}
		case argCall:
			if a.call.mayHoldInput() {
				return true
			}
		}
	}
	return false
}

// fail builds the error for a failed call. Step Functions names the call
// that failed (the innermost one) and then says why.
func (f *Func) fail(why string) *states.Error {
	return &states.Error{
		Name:  states.Runtime,
		Cause: "There was an error while evaluating the intrinsic function: " + f.src + ". " + why,
	}
}

// invalidArgs is the error for arguments of the wrong number, type or value.
// Step Functions gives no more detail than this.
func (f *Func) invalidArgs() *states.Error {
	return f.fail("Invalid arguments in " + f.name)
}

// encodeForMessage renders a value as compact JSON for an error message.
func encodeForMessage(v any) string {
	b, err := value.Encode(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func jsonNumber(s string) any { return json.Number(s) }
