package jsonata

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

func jsToUpper(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, "ß", "SS"))
}

// jsTrim is $trim: runs of whitespace become one space, and a leading or
// trailing space goes.
func jsTrim(s string) string {
	var b strings.Builder
	inWS := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			if !inWS {
				b.WriteByte(' ')
			}
			inWS = true
			continue
		}
		inWS = false
		b.WriteRune(r)
	}
	out := b.String()
	out = strings.TrimPrefix(out, " ")
	return strings.TrimSuffix(out, " ")
}

func fnLength(_ *evalCtx, _ *callInfo, s string, _ []any) (any, error) {
	return float64(utf8.RuneCountInString(s)), nil
}

// jsSubstring is $substring on code points.
func jsSubstring(s string, start float64, length float64, hasLength bool) string {
	rs := []rune(s)
	n := float64(len(rs))
	if n+start < 0 {
		start = 0
	}
	if hasLength {
		if length <= 0 || math.IsNaN(length) {
			return ""
		}
		end := start + length
		if start < 0 {
			end = n + start + length
		}
		return sliceRunes(rs, start, end)
	}
	return sliceRunes(rs, start, n)
}

// sliceRunes is Array.prototype.slice on code points.
func sliceRunes(rs []rune, start, end float64) string {
	n := float64(len(rs))
	norm := func(x float64) int {
		if math.IsNaN(x) {
			return 0
		}
		x = math.Trunc(x)
		if x < 0 {
			x = math.Max(n+x, 0)
		}
		return int(math.Min(x, n))
	}
	a, b := norm(start), norm(end)
	if a >= b {
		return ""
	}
	return string(rs[a:b])
}

func fnSubstring(_ *evalCtx, _ *callInfo, s string, args []any) (any, error) {
	start, ok := argAt(args, 1).(float64)
	if !ok {
		start = math.NaN() // slice(undefined) arithmetic gives NaN
	}
	length, hasLength := argAt(args, 2).(float64)
	return jsSubstring(s, start, length, hasLength), nil
}

func fnSubstringBefore(_ *evalCtx, _ *callInfo, s string, args []any) (any, error) {
	before, _, _ := cutChars(s, args)
	return before, nil
}

func fnSubstringAfter(_ *evalCtx, _ *callInfo, s string, args []any) (any, error) {
	if _, after, found := cutChars(s, args); found {
		return after, nil
	}
	return s, nil
}

// cutChars cuts s around the first instance of the chars argument (s and
// "" when there is none); an undefined one is "undefined", as
// indexOf(undefined) looks for it.
func cutChars(s string, args []any) (before, after string, found bool) {
	chars, ok := argAt(args, 1).(string)
	if !ok {
		chars = "undefined"
	}
	return strings.Cut(s, chars)
}

func fnPad(_ *evalCtx, _ *callInfo, s string, args []any) (any, error) {
	width, _ := argAt(args, 1).(float64)
	char, _ := argAt(args, 2).(string)
	if char == "" {
		char = " "
	}
	padLenF := math.Abs(width) - float64(utf8.RuneCountInString(s))
	if math.IsNaN(width) || padLenF <= 0 {
		return s, nil
	}
	if padLenF*float64(len(char)) > maxStringLength {
		return nil, errStringLength()
	}
	padLen := int(math.Ceil(padLenF))
	padding := strings.Repeat(char, padLen)
	if utf8.RuneCountInString(char) > 1 {
		padding = string([]rune(padding)[:padLen])
	}
	if width > 0 {
		return s + padding, nil
	}
	return padding + s, nil
}

func fnJoin(_ *evalCtx, _ *callInfo, a any, args []any) (any, error) {
	sep, _ := argAt(args, 1).(string)
	parts := make([]string, 0, len(items(a)))
	for _, x := range items(a) {
		s, _ := x.(string)
		parts = append(parts, s)
	}
	return strings.Join(parts, sep), nil
}

// callMatcher invokes a matcher function (a regex or a user function) and
// checks the structure of what it returns.
func (c *evalCtx) callMatcher(ci *callInfo, fn any, args []any) (any, error) {
	if err := c.tick(); err != nil {
		return nil, err
	}
	res, err := c.apply(fn, args, undefined, ci.env)
	if err != nil {
		return nil, err
	}
	if isUndef(res) || res == nil {
		return res, nil
	}
	ok := false
	if isObject(res) {
		if st, _ := objGet(res, "start"); isNum(st) {
			ok = true
		}
		if g, _ := objGet(res, "groups"); isArray(g) {
			ok = true
		}
		if nx, _ := objGet(res, "next"); isFunc(nx) {
			ok = true
		}
	}
	if !ok {
		if t, _ := truthy(res); t || isObject(res) {
			return nil, newErr("T1010", -1)
		}
	}
	return res, nil
}

func isNum(v any) bool { _, ok := v.(float64); return ok }

// nextMatch calls the match object's next function.
func (c *evalCtx) nextMatch(ci *callInfo, m any) (any, error) {
	nx, _ := objGet(m, "next")
	return c.callMatcher(ci, nx, nil)
}

func matchField(m any, k string) any {
	v, _ := objGet(m, k)
	return v
}

func matchNum(m any, k string) int {
	f, _ := matchField(m, k).(float64)
	return int(f)
}

func fnContains(c *evalCtx, ci *callInfo, s string, args []any) (any, error) {
	if tok, ok := argAt(args, 1).(string); ok {
		return strings.Contains(s, tok), nil
	}
	m, err := c.callMatcher(ci, argAt(args, 1), []any{s})
	if err != nil {
		return nil, err
	}
	return !isUndef(m), nil
}

// limitArg reads an optional non-negative limit argument.
func limitArg(args []any, i int, code string) (limit int, has bool, err error) {
	l, ok := argAt(args, i).(float64)
	if !ok {
		return 0, false, nil
	}
	if l < 0 {
		return 0, true, newErr(code, -1).withValue(l).withIndex(i + 1)
	}
	if l > 1e15 {
		return math.MaxInt, true, nil
	}
	// A count compared with "count < limit" stops at the ceiling.
	return int(math.Ceil(l)), true, nil
}

func fnMatch(c *evalCtx, ci *callInfo, s string, args []any) (any, error) {
	limit, hasLimit, err := limitArg(args, 2, "D3040")
	if err != nil {
		return nil, err
	}
	res := &array{seq: true}
	if hasLimit && limit == 0 {
		return res, nil
	}
	m, err := c.callMatcher(ci, argAt(args, 1), []any{s})
	for count := 0; err == nil && !isUndef(m) && m != nil && (!hasLimit || count < limit); count++ {
		o := newObject(3)
		o.set("match", matchField(m, "match"))
		o.set("index", matchField(m, "start"))
		o.set("groups", matchField(m, "groups"))
		res.items = append(res.items, o)
		m, err = c.nextMatch(ci, m)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func fnReplace(c *evalCtx, ci *callInfo, s string, args []any) (any, error) {
	pattern := argAt(args, 1)
	if pattern == "" {
		return nil, newErr("D3010", -1).withValue(pattern).withIndex(2)
	}
	limit, hasLimit, err := limitArg(args, 3, "D3011")
	if err != nil {
		return nil, err
	}
	if hasLimit && limit == 0 {
		return s, nil
	}
	repl := argAt(args, 2)
	if p, ok := pattern.(string); ok {
		r, ok := repl.(string)
		if !ok && isUndef(repl) {
			r = "undefined" // str += undefined
		}
		n := -1
		if hasLimit {
			n = limit
		}
		return strings.Replace(s, p, r, n), nil
	}
	return c.replaceMatches(ci, s, pattern, repl, limit, hasLimit)
}

func (c *evalCtx) replaceMatches(ci *callInfo, s string, pattern, repl any, limit int, hasLimit bool) (any, error) {
	m, err := c.callMatcher(ci, pattern, []any{s})
	if err != nil {
		return nil, err
	}
	if isUndef(m) || m == nil {
		return s, nil
	}
	var b strings.Builder
	pos := 0
	for count := 0; !isUndef(m) && m != nil && (!hasLimit || count < limit); count++ {
		start := matchNum(m, "start")
		b.WriteString(substrUTF16(s, pos, start))
		var sub any
		if r, ok := repl.(string); ok {
			sub = expandReplacement(r, m)
		} else if sub, err = c.apply(repl, []any{m}, undefined, ci.env); err != nil {
			return nil, err
		}
		str, ok := sub.(string)
		if !ok {
			return nil, newErr("D3012", -1).withValue(sub)
		}
		b.WriteString(str)
		mt, _ := matchField(m, "match").(string)
		pos = start + utf16Len(mt)
		if m, err = c.nextMatch(ci, m); err != nil {
			return nil, err
		}
	}
	b.WriteString(substrUTF16(s, pos, utf16Len(s)))
	return b.String(), nil
}

// expandReplacement substitutes $0, $1 ... and $$ in a replacement string.
func expandReplacement(r string, m any) string {
	groups := items(matchField(m, "groups"))
	match, _ := matchField(m, "match").(string)
	var b strings.Builder
	pos := 0
	for {
		i := strings.IndexByte(r[pos:], '$')
		if i < 0 {
			break
		}
		b.WriteString(r[pos : pos+i])
		pos += i + 1
		if pos >= len(r) {
			b.WriteByte('$')
			break
		}
		switch d := r[pos]; {
		case d == '$':
			b.WriteByte('$')
			pos++
		case d == '0':
			b.WriteString(match)
			pos++
		default:
			pos += groupRef(&b, r[pos:], groups)
		}
	}
	b.WriteString(r[pos:])
	return b.String()
}

// groupRef writes the group a $n reference names and returns how many
// characters of the reference it used.
func groupRef(b *strings.Builder, r string, groups []any) int {
	maxDigits := 1
	if len(groups) > 0 {
		maxDigits = int(math.Floor(math.Log10(float64(len(groups))))) + 1
	}
	idx, ok := leadingInt(r, maxDigits)
	if maxDigits > 1 && idx > len(groups) {
		idx, ok = leadingInt(r, maxDigits-1)
	}
	if !ok {
		b.WriteByte('$')
		return 0
	}
	if len(groups) > 0 && idx >= 1 && idx <= len(groups) {
		if g, ok := groups[idx-1].(string); ok {
			b.WriteString(g)
		}
	}
	return len(strconv.Itoa(idx))
}

// leadingInt is parseInt on the first n characters.
func leadingInt(s string, n int) (int, bool) {
	if n > len(s) {
		n = len(s)
	}
	j := 0
	for j < n && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, false
	}
	v, _ := strconv.Atoi(s[:j])
	return v, true
}

func fnSplit(c *evalCtx, ci *callInfo, s string, args []any) (any, error) {
	limit, hasLimit, err := limitArg(args, 2, "D3020")
	if err != nil {
		return nil, err
	}
	res := &array{items: []any{}}
	if hasLimit && limit == 0 {
		return res, nil
	}
	if sep, ok := argAt(args, 1).(string); ok {
		var parts []string
		if sep == "" {
			for _, r := range s {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(s, sep)
		}
		// String.prototype.split truncates its limit (ToUint32).
		strLimit := limit
		if l, ok := argAt(args, 2).(float64); ok && l <= 1e15 {
			strLimit = int(l)
		}
		for i, p := range parts {
			if hasLimit && i >= strLimit {
				break
			}
			res.items = append(res.items, p)
		}
		return res, nil
	}
	return c.splitMatches(ci, s, argAt(args, 1), limit, hasLimit)
}

func (c *evalCtx) splitMatches(ci *callInfo, s string, sep any, limit int, hasLimit bool) (any, error) {
	res := &array{items: []any{}}
	m, err := c.callMatcher(ci, sep, []any{s})
	if err != nil {
		return nil, err
	}
	if isUndef(m) || m == nil {
		res.items = append(res.items, s)
		return res, nil
	}
	start, count := 0, 0
	for ; !isUndef(m) && m != nil && (!hasLimit || count < limit); count++ {
		res.items = append(res.items, substrUTF16(s, start, matchNum(m, "start")))
		start = matchNum(m, "end")
		if m, err = c.nextMatch(ci, m); err != nil {
			return nil, err
		}
	}
	if !hasLimit || count < limit {
		res.items = append(res.items, substrUTF16(s, start, utf16Len(s)))
	}
	return res, nil
}

// latin1 maps each UTF-16 unit of s to a byte, as Buffer.from(s, 'binary').
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, byte((0xD800+(r>>10))&0xFF), byte((0xDC00+(r&0x3FF))&0xFF))
			continue
		}
		out = append(out, byte(r&0xFF))
	}
	return out
}

func fnBase64Encode(_ *evalCtx, _ *callInfo, s string, _ []any) (any, error) {
	return base64.StdEncoding.EncodeToString(latin1(s)), nil
}

func fnBase64Decode(_ *evalCtx, _ *callInfo, s string, _ []any) (any, error) {
	var clean []byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '+', ch == '/':
			clean = append(clean, ch)
		case ch == '-':
			clean = append(clean, '+')
		case ch == '_':
			clean = append(clean, '/')
		case ch == '=':
			i = len(s)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	raw, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		return "", nil
	}
	rs := make([]rune, len(raw))
	for i, c := range raw {
		rs[i] = rune(c)
	}
	return string(rs), nil
}

func urlFn(name string, f func(string) (string, bool)) builtinImpl {
	return withFirst(func(_ *evalCtx, _ *callInfo, s string, _ []any) (any, error) {
		out, ok := f(s)
		if !ok {
			e := newErr("D3140", -1).withValue(s)
			e.Func = name
			return nil, e
		}
		return out, nil
	})
}

const hexUpper = "0123456789ABCDEF"

func percentEncode(s string, keep string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0) {
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return "", false // an unpaired surrogate
		}
		for j := 0; j < n; j++ {
			b.WriteByte('%')
			b.WriteByte(hexUpper[s[i+j]>>4])
			b.WriteByte(hexUpper[s[i+j]&0xF])
		}
		i += n
	}
	return b.String(), true
}

func encodeURIComponent(s string) (string, bool) { return percentEncode(s, "-_.!~*'()") }

func encodeURI(s string) (string, bool) { return percentEncode(s, "-_.!~*'();/?:@&=+$,#") }

func decodeURIComponent(s string) (string, bool) { return percentDecode(s, "") }

func decodeURI(s string) (string, bool) { return percentDecode(s, ";/?:@&=+$,#") }

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode is decodeURI(Component): %XX sequences must form UTF-8;
// escapes of characters in reserved stay as they are.
func percentDecode(s string, reserved string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b.WriteByte(s[i])
			i++
			continue
		}
		first, ok := hexByte(s, i)
		if !ok {
			return "", false
		}
		if first < 0x80 {
			if strings.IndexByte(reserved, first) >= 0 {
				b.WriteString(s[i : i+3])
			} else {
				b.WriteByte(first)
			}
			i += 3
			continue
		}
		n := utf8SeqLen(first)
		if n == 0 {
			return "", false
		}
		buf := []byte{first}
		for k := 1; k < n; k++ {
			nb, ok := hexByte(s, i+3*k)
			if !ok || nb&0xC0 != 0x80 {
				return "", false
			}
			buf = append(buf, nb)
		}
		r, size := utf8.DecodeRune(buf)
		if r == utf8.RuneError || size != n {
			return "", false
		}
		b.Write(buf)
		i += 3 * n
	}
	return b.String(), true
}

func hexByte(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	if s[i] != '%' {
		return 0, false
	}
	h, ok1 := unhex(s[i+1])
	l, ok2 := unhex(s[i+2])
	return h<<4 | l, ok1 && ok2
}

func utf8SeqLen(b byte) int {
	switch {
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 0
}
