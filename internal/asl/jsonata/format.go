package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

var (
	decimalRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)
	radixRe   = regexp.MustCompile(`^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$`)
)

func fnFormatBase(_ *evalCtx, _ *callInfo, x float64, args []any) (any, error) {
	x = roundHalfEven(x, 0)
	radix := 10.0
	if r, ok := argAt(args, 1).(float64); ok {
		radix = roundHalfEven(r, 0)
	}
	if radix < 2 || radix > 36 {
		return nil, newErr("D3100", -1).withValue(radix)
	}
	if math.Abs(x) < 1<<62 {
		return strconv.FormatInt(int64(x), int(radix)), nil
	}
	return formatNumberJS(x), nil
}

// numberFormat holds the properties of $formatNumber's decimal format.
type numberFormat struct {
	decimal, grouping, exponent, minus, percent, permille, zero, digit, pattern string
	digits                                                                      []string
}

// picturePart is one analysed sub-picture of a $formatNumber picture.
type picturePart struct {
	prefix, suffix, active, mantissa, integer, fractional, exponent, picture string
	hasExponent                                                              bool
}

func newNumberFormat(opts any) numberFormat {
	f := numberFormat{decimal: ".", grouping: ",", exponent: "e", minus: "-", percent: "%",
		permille: "\u2030", zero: "0", digit: "#", pattern: ";"}
	set := map[string]*string{"decimal-separator": &f.decimal, "grouping-separator": &f.grouping,
		"exponent-separator": &f.exponent, "minus-sign": &f.minus, "percent": &f.percent,
		"per-mille": &f.permille, "zero-digit": &f.zero, "digit": &f.digit, "pattern-separator": &f.pattern}
	for _, k := range objKeys(opts) {
		if p, ok := set[k]; ok {
			v, _ := objGet(opts, k)
			if s, ok := v.(string); ok {
				*p = s
			}
		}
	}
	z := []rune(f.zero)
	if len(z) == 0 {
		z = []rune{'0'}
	}
	for i := 0; i < 10; i++ {
		f.digits = append(f.digits, string(z[0]+rune(i)))
	}
	return f
}

func (f *numberFormat) isDigit(ch string) bool {
	for _, d := range f.digits {
		if d == ch {
			return true
		}
	}
	return false
}

// isDigitOrOptional reports whether ch is a digit or the optional digit
// character.
func (f *numberFormat) isDigitOrOptional(ch string) bool { return f.isDigit(ch) || ch == f.digit }

func (f *numberFormat) isActive(ch string) bool {
	return f.isDigit(ch) || ch == f.decimal || ch == f.exponent || ch == f.grouping || ch == f.digit || ch == f.pattern
}

func chars(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

func (f *numberFormat) split(sub string) (picturePart, bool) {
	cs := chars(sub)
	pre := -1
	for i, ch := range cs {
		if f.isActive(ch) && ch != f.exponent {
			pre = i
			break
		}
	}
	if pre < 0 {
		return picturePart{}, false
	}
	suf := len(cs)
	for i := len(cs) - 1; i >= 0; i-- {
		if f.isActive(cs[i]) && cs[i] != f.exponent {
			suf = i + 1
			break
		}
	}
	p := picturePart{picture: sub, prefix: joinChars(cs, 0, pre), suffix: joinChars(cs, suf, len(cs)), active: joinChars(cs, pre, suf)}
	expPos := -1
	for i := pre; i < len(cs); i++ {
		if cs[i] == f.exponent {
			expPos = i
			break
		}
	}
	if expPos == -1 || expPos > suf {
		p.mantissa = p.active
	} else {
		ac := chars(p.active)
		p.mantissa = joinChars(ac, 0, expPos)
		p.exponent = joinChars(ac, expPos+1, len(ac))
		p.hasExponent = true
	}
	if i := strings.Index(p.mantissa, f.decimal); i == -1 {
		p.integer, p.fractional = p.mantissa, p.suffix
	} else {
		p.integer, p.fractional = p.mantissa[:i], p.mantissa[i+len(f.decimal):]
	}
	return p, true
}

// joinChars joins the characters cs[a:b], with a and b clamped to the
// characters there are; "" when a is not before b.
func joinChars(cs []string, a, b int) string {
	a, b = max(0, min(a, len(cs))), max(0, min(b, len(cs)))
	if a >= b {
		return ""
	}
	return strings.Join(cs[a:b], "")
}

func countIf(s string, pred func(string) bool) int {
	n := 0
	for _, ch := range chars(s) {
		if pred(ch) {
			n++
		}
	}
	return n
}

// validate applies the XPath F&O picture-string rules (D3081-D3093).
func (f *numberFormat) validate(p picturePart) *Error {
	code := ""
	sub := p.picture
	dec := strings.Index(sub, f.decimal)
	if dec != strings.LastIndex(sub, f.decimal) {
		code = "D3081"
	}
	if strings.Index(sub, f.percent) != strings.LastIndex(sub, f.percent) {
		code = "D3082"
	}
	if strings.Index(sub, f.permille) != strings.LastIndex(sub, f.permille) {
		code = "D3083"
	}
	if strings.Contains(sub, f.percent) && strings.Contains(sub, f.permille) {
		code = "D3084"
	}
	if countIf(p.mantissa, f.isDigitOrOptional) == 0 {
		code = "D3085"
	}
	if countIf(p.active, func(ch string) bool { return !f.isActive(ch) }) > 0 {
		code = "D3086"
	}
	if dec != -1 {
		before := strings.HasSuffix(sub[:dec], f.grouping)
		after := strings.HasPrefix(sub[dec+len(f.decimal):], f.grouping)
		if before || after {
			code = "D3087"
		}
	} else if strings.HasSuffix(p.integer, f.grouping) {
		code = "D3088"
	}
	if strings.Contains(sub, f.grouping+f.grouping) {
		code = "D3089"
	}
	if i := strings.Index(p.integer, f.digit); i != -1 && countIf(p.integer[:i], f.isDigit) > 0 {
		code = "D3090"
	}
	if i := strings.LastIndex(p.fractional, f.digit); i != -1 && countIf(p.fractional[i:], f.isDigit) > 0 {
		code = "D3091"
	}
	if p.hasExponent && p.exponent != "" && (strings.Contains(sub, f.percent) || strings.Contains(sub, f.permille)) {
		code = "D3092"
	}
	if p.hasExponent && (p.exponent == "" || countIf(p.exponent, func(ch string) bool { return !f.isDigit(ch) }) > 0) {
		code = "D3093"
	}
	if code != "" {
		return newErr(code, -1)
	}
	return nil
}

// pictureVars are the analysed sizes and grouping of a sub-picture.
type pictureVars struct {
	intGroups, fracGroups             []int
	regular                           int
	minInt, scaling, minFrac, maxFrac int
	minExp                            int
	prefix, suffix, picture           string
}

func (f *numberFormat) groupPositions(part string, toLeft bool, integer string) []int {
	var out []int
	pos := strings.Index(part, f.grouping)
	for pos != -1 {
		seg := part[pos:]
		if toLeft {
			seg = part[:pos]
		}
		out = append(out, countIf(seg, f.isDigitOrOptional))
		next := -1
		if pos+1 <= len(integer) {
			if j := strings.Index(integer[pos+1:], f.grouping); j >= 0 {
				next = pos + 1 + j
			}
		}
		pos = next
	}
	return out
}

func regularGrouping(idx []int) int {
	if len(idx) == 0 {
		return 0
	}
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	factor := idx[0]
	for _, x := range idx[1:] {
		factor = gcd(factor, x)
	}
	for i := 1; i <= len(idx); i++ {
		found := false
		for _, x := range idx {
			if x == i*factor {
				found = true
			}
		}
		if !found {
			return 0
		}
	}
	return factor
}

func (f *numberFormat) analyse(p picturePart) pictureVars {
	v := pictureVars{prefix: p.prefix, suffix: p.suffix, picture: p.picture}
	v.intGroups = f.groupPositions(p.integer, false, p.integer)
	v.regular = regularGrouping(v.intGroups)
	v.fracGroups = f.groupPositions(p.fractional, true, p.integer)
	v.minInt = countIf(p.integer, f.isDigit)
	v.scaling = v.minInt
	v.minFrac = countIf(p.fractional, f.isDigit)
	v.maxFrac = countIf(p.fractional, f.isDigitOrOptional)
	if v.minInt == 0 && v.maxFrac == 0 {
		if p.hasExponent {
			v.minFrac, v.maxFrac = 1, 1
		} else {
			v.minInt = 1
		}
	}
	if p.hasExponent && v.minInt == 0 && strings.Contains(p.integer, f.digit) {
		v.minInt = 1
	}
	if v.minInt == 0 && v.minFrac == 0 {
		v.minFrac = 1
	}
	if p.hasExponent {
		v.minExp = countIf(p.exponent, f.isDigit)
	}
	return v
}

func fnFormatNumber(_ *evalCtx, _ *callInfo, x float64, args []any) (any, error) {
	picture, _ := argAt(args, 1).(string)
	f := newNumberFormat(argAt(args, 2))
	subs := strings.Split(picture, f.pattern)
	if len(subs) > 2 {
		return nil, newErr("D3080", -1)
	}
	var vars []pictureVars
	for _, sub := range subs {
		p, ok := f.split(sub)
		if !ok {
			return nil, newErr("D3085", -1)
		}
		if err := f.validate(p); err != nil {
			return nil, err
		}
		vars = append(vars, f.analyse(p))
	}
	if len(vars) == 1 {
		neg := vars[0]
		neg.prefix = f.minus + neg.prefix
		vars = append(vars, neg)
	}
	pic := vars[0]
	if x < 0 {
		pic = vars[1]
	}
	return f.format(x, pic), nil
}

func (f *numberFormat) format(x float64, pic pictureVars) string {
	adj := x
	if strings.Contains(pic.picture, f.percent) {
		adj = x * 100
	} else if strings.Contains(pic.picture, f.permille) {
		adj = x * 1000
	}
	mantissa := adj
	exponent, hasExp := 0, false
	if pic.minExp != 0 {
		hasExp = true
		maxM := math.Pow(10, float64(pic.scaling))
		minM := math.Pow(10, float64(pic.scaling-1))
		for mantissa < minM && mantissa != 0 && !math.IsInf(mantissa, 0) {
			mantissa *= 10
			exponent--
		}
		for mantissa > maxM && !math.IsInf(mantissa, 0) {
			mantissa /= 10
			exponent++
		}
	}
	rounded := roundHalfEven(mantissa, float64(pic.maxFrac))
	s := f.localDigits(toFixed(math.Abs(rounded), pic.maxFrac))
	if i := strings.Index(s, "."); i == -1 {
		s += f.decimal
	} else {
		s = s[:i] + f.decimal + s[i+1:]
	}
	s = strings.TrimLeft(s, f.zero)
	s = strings.TrimRight(s, f.zero)
	s = f.pad(s, pic)
	s = f.insertGroups(s, pic)
	dp := strings.Index(s, f.decimal)
	if !strings.Contains(pic.picture, f.decimal) || dp == len(s)-len(f.decimal) {
		s = s[:len(s)-len(f.decimal)]
	}
	if hasExp {
		e := f.localDigits(strconv.Itoa(absInt(exponent)))
		if n := pic.minExp - len([]rune(e)); n > 0 {
			e = strings.Repeat(f.zero, n) + e
		}
		sign := ""
		if exponent < 0 {
			sign = f.minus
		}
		s += f.exponent + sign + e
	}
	return pic.prefix + s + pic.suffix
}

func absInt(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// toFixed is Number.prototype.toFixed.
func toFixed(x float64, dp int) string {
	if x >= 1e21 {
		return formatNumberJS(x)
	}
	return strconv.FormatFloat(x, 'f', dp, 64)
}

func (f *numberFormat) localDigits(s string) string {
	if f.zero == "0" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteString(f.digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (f *numberFormat) pad(s string, pic pictureVars) string {
	dp := len([]rune(s[:strings.Index(s, f.decimal)]))
	total := len([]rune(s))
	padLeft := pic.minInt - dp
	padRight := pic.minFrac - (total - dp - 1)
	if padLeft > 0 {
		s = strings.Repeat(f.zero, padLeft) + s
	}
	if padRight > 0 {
		s += strings.Repeat(f.zero, padRight)
	}
	return s
}

func (f *numberFormat) insertGroups(s string, pic pictureVars) string {
	cs := chars(s)
	dp := indexOf(cs, f.decimal)
	insert := func(at int) {
		cs = append(cs[:at], append([]string{f.grouping}, cs[at:]...)...)
	}
	if pic.regular > 0 {
		groups := (dp - 1) / pic.regular
		for g := 1; g <= groups; g++ {
			insert(dp - g*pic.regular)
		}
	} else {
		for _, pos := range pic.intGroups {
			if at := dp - pos; at >= 0 && at <= len(cs) {
				insert(at)
				dp++
			}
		}
	}
	dp = indexOf(cs, f.decimal)
	for _, pos := range pic.fracGroups {
		if at := pos + dp + 1; at >= 0 && at <= len(cs) {
			insert(at)
		}
	}
	return strings.Join(cs, "")
}

func indexOf(cs []string, s string) int {
	for i, c := range cs {
		if c == s {
			return i
		}
	}
	return -1
}
