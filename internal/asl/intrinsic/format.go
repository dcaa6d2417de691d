package intrinsic

import (
	"maps"
	"slices"
	"strings"
)

// formatTemplate is a parsed States.Format template: the literal text around
// its {} placeholders. A template with n placeholders has n+1 pieces.
type formatTemplate struct {
	pieces []string
}

// parseFormatTemplate parses a template as written inside the quotes: \{, \}
// \' and \\ stand for the character, {} is a placeholder, and any other brace
// is an error. On error it returns the message Step Functions gives.
func parseFormatTemplate(s string) (*formatTemplate, string) {
	t := &formatTemplate{}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) {
				return nil, "the template ends with an unfinished escape '\\'."
			}
			i++
			b.WriteByte(s[i])
		case '{':
			if i+1 == len(s) || s[i+1] != '}' {
				return nil, "matching '}' not found for '{'."
			}
			i++
			t.pieces = append(t.pieces, b.String())
			b.Reset()
		case '}':
			return nil, "matching '{' not found for '}'."
		default:
			b.WriteByte(c)
		}
	}
	t.pieces = append(t.pieces, b.String())
	return t, ""
}

func runFormat(f *Func, _ *Env, args []any) (any, error) {
	tmpl, msg := f.format, f.formatErr
	if !f.args[0].str {
		// The template came from a path or a call: parse it now.
		s, ok := args[0].(string)
		if !ok {
			return nil, f.invalidArgs()
		}
		tmpl, msg = parseFormatTemplate(s)
	}
	if msg != "" {
		return nil, f.fail("Invalid template in States.Format: " + msg)
	}
	if len(tmpl.pieces)-1 != len(args)-1 {
		return nil, f.fail("Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.")
	}
	if len(tmpl.pieces) == 1 {
		return tmpl.pieces[0], nil
	}
	// Size the result once: the pieces plus the string arguments, and a
	// guess for the rest.
	size := 0
	for _, piece := range tmpl.pieces {
		size += len(piece)
	}
	for _, a := range args[1:] {
		if s, ok := a.(string); ok {
			size += len(s)
		} else {
			size += 8
		}
	}
	var b strings.Builder
	b.Grow(size)
	for i, piece := range tmpl.pieces {
		b.WriteString(piece)
		if i+1 < len(tmpl.pieces) {
			appendFormatted(&b, args[i+1])
		}
	}
	return b.String(), nil
}

// appendFormatted writes a value the way States.Format shows it, which is
// Java's toString of the parsed JSON: strings bare, null as "null", arrays as
// [a, b] and objects as {k=v, k2=v2}. Step Functions keeps an object's key
// order; a Go map has none, so keys are sorted.
func appendFormatted(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			appendFormatted(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			appendFormatted(b, x[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(encodeForMessage(x))
	}
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
