package jsonata

import (
	"regexp"
	"strings"
)

// signature is a parsed function signature such as <s-n?:s>. Arguments are
// validated by matching a string of one type letter per argument against a
// regular expression built from the signature, as jsonata-js does.
type signature struct {
	params []sigParam
	re     *regexp.Regexp
}

type sigParam struct {
	regex     string
	typ       string
	array     bool
	context   bool
	ctxRegex  *regexp.Regexp
	subtype   string
	hasSubtyp bool
}

var arraySigNames = map[string]string{"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}

// parseSignature parses a signature; a failure is an *Error whose Index is
// the offset within the signature.
func parseSignature(sig string) (*signature, *Error) {
	s := &signature{}
	param := &sigParam{}
	var prev *sigParam = param
	next := func() {
		s.params = append(s.params, *param)
		prev = &s.params[len(s.params)-1]
		param = &sigParam{}
	}
	for pos := 1; pos < len(sig); pos++ {
		sym := sig[pos]
		if sym == ':' {
			break
		}
		switch sym {
		case 's', 'n', 'b', 'l', 'o':
			param.regex, param.typ = "["+string(sym)+"m]", string(sym)
			next()
		case 'a':
			param.regex, param.typ, param.array = "[asnblfom]", "a", true
			next()
		case 'f':
			param.regex, param.typ = "f", "f"
			next()
		case 'j':
			param.regex, param.typ = "[asnblom]", "j"
			next()
		case 'x':
			param.regex, param.typ = "[asnblfom]", "x"
			next()
		case '-':
			re, err := regexp.Compile(prev.regex)
			if err != nil {
				return nil, badSignature(sig, pos, err)
			}
			prev.context = true
			prev.ctxRegex = re
			prev.regex += "?"
		case '?', '+':
			prev.regex += string(sym)
		case '(':
			end := closing(sig, pos, '(', ')')
			choice := sig[pos+1 : min(end, len(sig))]
			if strings.Contains(choice, "<") {
				return nil, newErr("S0402", -1).withValue(choice).withIndex(pos)
			}
			param.regex, param.typ = "["+choice+"m]", "("+choice+")"
			pos = end
			next()
		case '<':
			if prev.typ != "a" && prev.typ != "f" {
				return nil, newErr("S0401", -1).withValue(prev.typ).withIndex(pos)
			}
			end := closing(sig, pos, '<', '>')
			prev.subtype, prev.hasSubtyp = sig[pos+1:min(end, len(sig))], true
			pos = end
		}
	}
	var b strings.Builder
	b.WriteString("^")
	for _, p := range s.params {
		b.WriteString("(" + p.regex + ")")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, badSignature(sig, 0, err)
	}
	s.re = re
	return s, nil
}

// badSignature reports a signature whose pattern is not a valid regular
// expression (such as "<+>"); jsonata-js fails there with a JavaScript
// SyntaxError, which has no code.
func badSignature(sig string, pos int, err error) *Error {
	return newErr(codeSignature, -1).withMessage("Invalid function signature " + sig + ": " + err.Error()).withIndex(pos)
}

func closing(s string, start int, open, close byte) int {
	depth := 1
	pos := start
	for pos < len(s) {
		pos++
		if pos >= len(s) {
			break
		}
		if s[pos] == close {
			depth--
			if depth == 0 {
				break
			}
		} else if s[pos] == open {
			depth++
		}
	}
	return pos
}

// typeSymbol is the signature letter for a value.
func typeSymbol(v any) byte {
	switch v.(type) {
	case undefinedType:
		return 'm'
	case nil:
		return 'l'
	case string:
		return 's'
	case float64:
		return 'n'
	case bool:
		return 'b'
	case *array:
		return 'a'
	case *lambda, *nativeFn, *matcher:
		return 'f'
	}
	if isObject(v) {
		return 'o'
	}
	return 'm'
}

// check validates args against the signature; a function without one (a
// nil signature) takes its arguments as they are.
func (s *signature) check(args []any, context any) ([]any, error) {
	if s == nil {
		return args, nil
	}
	return s.validate(args, context)
}

// validate checks args against the signature, filling in the context value
// for a missing '-' argument and wrapping a single value where an array is
// expected.
func (s *signature) validate(args []any, context any) ([]any, error) {
	var sb [16]byte
	supplied := sb[:0]
	for _, a := range args {
		supplied = append(supplied, typeSymbol(a))
	}
	m := s.re.FindStringSubmatch(string(supplied))
	if m == nil {
		return nil, s.validationError(args, string(supplied))
	}
	out := make([]any, 0, len(s.params))
	argIndex := 0
	for i, p := range s.params {
		match := m[i+1]
		if match == "" {
			if p.context && p.ctxRegex != nil {
				if !p.ctxRegex.MatchString(string(typeSymbol(context))) {
					return nil, newErr("T0411", -1).withValue(context).withIndex(argIndex + 1)
				}
				out = append(out, context)
			} else {
				out = append(out, argAt(args, argIndex))
				argIndex++
			}
			continue
		}
		for j := 0; j < len(match); j++ {
			arg := argAt(args, argIndex)
			if p.typ == "a" {
				var err error
				if arg, err = p.checkArray(match[j], match, arg, argIndex); err != nil {
					return nil, err
				}
			}
			out = append(out, arg)
			argIndex++
		}
	}
	return out, nil
}

func (p *sigParam) checkArray(single byte, match string, arg any, argIndex int) (any, error) {
	if single == 'm' {
		return undefined, nil
	}
	ok := true
	if p.hasSubtyp {
		if single != 'a' && match != p.subtype {
			ok = false
		} else if a, isArr := arg.(*array); single == 'a' && isArr && len(a.items) > 0 {
			first := typeSymbol(a.items[0])
			if p.subtype == "" || first != p.subtype[0] {
				ok = false
			} else {
				for _, x := range a.items {
					if typeSymbol(x) != first {
						ok = false
						break
					}
				}
			}
		}
	}
	if !ok {
		e := newErr("T0412", -1).withValue(arg).withIndex(argIndex + 1)
		e.Type = arraySigNames[p.subtype]
		return nil, e
	}
	if single != 'a' {
		return &array{items: []any{arg}}, nil
	}
	return arg, nil
}

func (s *signature) validationError(args []any, supplied string) error {
	partial := "^"
	goodTo := 0
	for _, p := range s.params {
		partial += p.regex
		re, err := regexp.Compile(partial)
		var loc []int
		if err == nil {
			loc = re.FindStringIndex(supplied)
		}
		if loc == nil {
			break
		}
		goodTo = loc[1]
	}
	return newErr("T0410", -1).withValue(argAt(args, goodTo)).withIndex(goodTo + 1)
}
