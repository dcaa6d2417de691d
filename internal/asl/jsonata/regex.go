package jsonata

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// regexTimeout bounds one regex match, so a pathological pattern cannot
// hang an evaluation.
const regexTimeout = 2 * time.Second

// compileJSRegex compiles a JSONata regex literal with JavaScript semantics.
func compileJSRegex(pattern, flags string) (*regexp2.Regexp, error) {
	opts := regexp2.ECMAScript
	for _, f := range flags {
		switch f {
		case 'i':
			opts |= regexp2.IgnoreCase
		case 'm':
			opts |= regexp2.Multiline
		}
	}
	re, err := regexp2.Compile(pattern, opts)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = regexTimeout
	return re, nil
}

// matcher is the function a regex literal evaluates to: called with a
// string (and a start offset) it returns a match object with match, start,
// end, groups and next, as jsonata-js's regex closures do.
type matcher struct {
	re  *regexp2.Regexp
	src string
	pos int
}

// exec finds the first match at or after from (UTF-16 offset).
func (m *matcher) exec(str string, from int) (any, error) {
	if from > utf16Len(str) {
		return undefined, nil
	}
	// regexp2 takes the start of a string search as a byte offset.
	mt, err := m.re.FindStringMatchStartingAt(str, utf16ToByte(str, from))
	if err != nil {
		return nil, newErr("D1004", m.pos).withValue(m.src).withMessage(err.Error())
	}
	if mt == nil {
		return undefined, nil
	}
	start := runeToUTF16(str, mt.RuneIndex)
	text := mt.String()
	end := start + utf16Len(text)
	groups := &array{}
	for _, g := range mt.Groups()[1:] {
		if len(g.Captures) == 0 {
			groups.items = append(groups.items, undefined)
		} else {
			groups.items = append(groups.items, g.String())
		}
	}
	res := newObject(5)
	res.set("match", text)
	res.set("start", float64(start))
	res.set("end", float64(end))
	res.set("groups", groups)
	res.set("next", &nativeFn{name: "next", arity: 0, impl: func(c *evalCtx, _ *callInfo, _ []any) (any, error) {
		if end >= utf16Len(str) {
			return undefined, nil
		}
		nx, err := m.exec(str, end)
		if err != nil {
			return nil, err
		}
		if o, ok := nx.(*object); ok && o.m["match"] == "" {
			return nil, newErr("D1004", m.pos).withValue(m.src)
		}
		return nx, nil
	}})
	return res, nil
}

// utf16Units is how many UTF-16 code units r takes in a JavaScript string.
func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// utf16Len is the length of s as a JavaScript string.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

// utf16ToByte converts a UTF-16 offset in s to a byte offset (at a rune
// boundary).
func utf16ToByte(s string, off int) int {
	u := 0
	for i, r := range s {
		if u >= off {
			return i
		}
		u += utf16Units(r)
	}
	return len(s)
}

// runeToUTF16 converts a rune index in s to a UTF-16 offset.
func runeToUTF16(s string, idx int) int {
	u, i := 0, 0
	for _, r := range s {
		if i >= idx {
			break
		}
		u += utf16Units(r)
		i++
	}
	return u
}

// substrUTF16 is JavaScript's s.substring(from, to) with UTF-16 offsets.
func substrUTF16(s string, from, to int) string {
	if from > to {
		from, to = to, from
	}
	if from < 0 {
		from = 0
	}
	b0, b1 := -1, len(s)
	u := 0
	for i, r := range s {
		if u >= from && b0 < 0 {
			b0 = i
		}
		if u >= to {
			b1 = i
			break
		}
		u += utf16Units(r)
	}
	if b0 < 0 {
		return ""
	}
	return s[b0:b1]
}
