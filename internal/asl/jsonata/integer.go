package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	fewWords    = []string{"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"}
	ordinalWord = []string{"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"}
	decadeWords = []string{"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"}
	magnitudes  = []string{"Thousand", "Million", "Billion", "Trillion"}
)

// numberToWords spells a number in English words (W picture).
func numberToWords(num float64, prev, ord bool) string {
	and := ""
	if prev {
		and = " and "
	}
	switch {
	case num <= 19:
		if ord {
			return and + ordinalWord[int(num)]
		}
		return and + fewWords[int(num)]
	case num < 100:
		tens, rem := int(num)/10, int(num)%10
		w := and + decadeWords[tens-2]
		if rem > 0 {
			w += "-" + numberToWords(float64(rem), false, ord)
		} else if ord {
			w = w[:len(w)-1] + "ieth"
		}
		return w
	case num < 1000:
		h, rem := int(num)/100, int(num)%100
		w := ""
		if prev {
			w = ", "
		}
		w += fewWords[h] + " Hundred"
		if rem > 0 {
			w += numberToWords(float64(rem), true, ord)
		} else if ord {
			w += "th"
		}
		return w
	}
	mag := int(math.Floor(math.Log10(num) / 3))
	if mag > len(magnitudes) {
		mag = len(magnitudes)
	}
	factor := math.Pow(10, float64(mag*3))
	mant := math.Floor(num / factor)
	rem := num - mant*factor
	w := ""
	if prev {
		w = ", "
	}
	w += numberToWords(mant, false, false) + " " + magnitudes[mag-1]
	if rem > 0 {
		w += numberToWords(rem, true, ord)
	} else if ord {
		w += "th"
	}
	return w
}

// numberWords are the words of $parseInteger's word pictures, lower case,
// with their values, in jsonata-js's order (which its date parsing regex
// tries them in).
var numberWords = func() []numberWord {
	var ws []numberWord
	add := func(w string, v float64) { ws = append(ws, numberWord{strings.ToLower(w), v}) }
	for i, w := range fewWords {
		add(w, float64(i))
	}
	for i, w := range ordinalWord {
		add(w, float64(i))
	}
	for i, w := range decadeWords {
		v := float64((i + 2) * 10)
		add(w, v)
		add(w[:len(w)-1]+"ieth", v)
	}
	add("hundredth", 100)
	for i, w := range magnitudes {
		v := math.Pow(10, float64((i+1)*3))
		add(w, v)
		add(w+"th", v)
	}
	return ws
}()

type numberWord struct {
	word  string
	value float64
}

var wordValues = func() map[string]float64 {
	m := make(map[string]float64, len(numberWords))
	for _, w := range numberWords {
		m[w.word] = w.value
	}
	return m
}()

func wordsToNumber(text string) float64 {
	parts := wordSplitRe.Split(text, -1)
	segs := []float64{0}
	for _, p := range parts {
		v, ok := wordValues[p]
		if !ok {
			v = math.NaN()
		}
		if v < 100 || math.IsNaN(v) {
			top := segs[len(segs)-1]
			segs = segs[:len(segs)-1]
			if top >= 1000 {
				segs = append(segs, top)
				top = 0
			}
			segs = append(segs, top+v)
		} else {
			segs[len(segs)-1] *= v
		}
	}
	total := 0.0
	for _, s := range segs {
		total += s
	}
	return total
}

var romanNumerals = []struct {
	v int
	s string
}{{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"}, {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}}

func decimalToRoman(v int) string {
	var b strings.Builder
	for v > 0 {
		for _, n := range romanNumerals {
			if v >= n.v {
				b.WriteString(n.s)
				v -= n.v
				break
			}
		}
	}
	return b.String()
}

func romanToDecimal(s string) float64 {
	vals := map[byte]int{'M': 1000, 'D': 500, 'C': 100, 'L': 50, 'X': 10, 'V': 5, 'I': 1}
	dec, mx := 0, 1
	for i := len(s) - 1; i >= 0; i-- {
		v := vals[s[i]]
		if v < mx {
			dec -= v
		} else {
			mx = v
			dec += v
		}
	}
	return float64(dec)
}

func decimalToLetters(v int, a rune) string {
	var out []rune
	for v > 0 {
		out = append([]rune{rune((v-1)%26) + a}, out...)
		v = (v - 1) / 26
	}
	return string(out)
}

func lettersToDecimal(s string, a rune) float64 {
	d := 0.0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		d += float64(rs[len(rs)-i-1]-a+1) * math.Pow(26, float64(i))
	}
	return d
}

// integerFormat is an analysed integer picture ($formatInteger and date
// components).
type integerFormat struct {
	primary    string // decimal, letters, roman, words, sequence
	upper      bool
	title      bool
	ordinal    bool
	zeroCode   rune
	mandatory  int
	optional   int
	regular    bool
	groupPos   int    // regular grouping interval
	groupChar  string // regular grouping separator
	separators []groupSep
	token      string
	n          int // digits to parse (dates), 0 unset
}

type groupSep struct {
	position int
	char     string
}

var decimalGroups = []rune{0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10}

func analyseIntegerPicture(picture string) (*integerFormat, *Error) {
	f := &integerFormat{primary: "decimal"}
	primary := picture
	if i := strings.LastIndex(picture, ";"); i >= 0 {
		primary = picture[:i]
		if strings.HasPrefix(picture[i+1:], "o") {
			f.ordinal = true
		}
	}
	switch primary {
	case "A":
		f.upper, f.primary = true, "letters"
	case "a":
		f.primary = "letters"
	case "I":
		f.upper, f.primary = true, "roman"
	case "i":
		f.primary = "roman"
	case "W":
		f.upper, f.primary = true, "words"
	case "Ww":
		f.title, f.primary = true, "words"
	case "w":
		f.primary = "words"
	default:
		return f, f.analyseDecimal(primary)
	}
	return f, nil
}

func (f *integerFormat) analyseDecimal(primary string) *Error {
	zero := rune(-1)
	sepPos := 0
	var seps []groupSep
	rs := []rune(primary)
	for i := len(rs) - 1; i >= 0; i-- {
		cp := rs[i]
		digit := false
		for _, g := range decimalGroups {
			if cp >= g && cp <= g+9 {
				digit = true
				f.mandatory++
				sepPos++
				if zero == -1 {
					zero = g
				} else if g != zero {
					return newErr("D3131", -1)
				}
				break
			}
		}
		if digit {
			continue
		}
		if cp == '#' {
			sepPos++
			f.optional++
		} else {
			seps = append(seps, groupSep{position: sepPos, char: string(cp)})
		}
	}
	if f.mandatory == 0 {
		f.primary, f.token = "sequence", primary
		return nil
	}
	f.zeroCode = zero
	if r := regularSeparators(seps); r > 0 {
		f.regular, f.groupPos, f.groupChar = true, r, seps[0].char
	} else {
		f.separators = seps
	}
	return nil
}

func regularSeparators(seps []groupSep) int {
	if len(seps) == 0 {
		return 0
	}
	for _, s := range seps[1:] {
		if s.char != seps[0].char {
			return 0
		}
	}
	idx := make([]int, len(seps))
	for i, s := range seps {
		idx[i] = s.position
	}
	return regularGrouping(idx)
}

func (f *integerFormat) format(v float64) (string, *Error) {
	if math.IsNaN(v) && f.primary != "decimal" {
		return "", nil
	}
	neg := v < 0
	v = math.Abs(v)
	var s string
	switch f.primary {
	case "letters":
		a := 'a'
		if f.upper {
			a = 'A'
		}
		s = decimalToLetters(int(v), a)
	case "roman":
		if v > 1e7 {
			// jsonata-js recurses once per numeral and overflows its stack.
			return "", newErr(codeRange, -1).withMessage("Maximum call stack size exceeded")
		}
		s = decimalToRoman(int(v))
		if f.upper {
			s = strings.ToUpper(s)
		}
	case "words":
		s = numberToWords(v, false, f.ordinal)
		if f.upper {
			s = strings.ToUpper(s)
		} else if !f.title {
			s = strings.ToLower(s)
		}
	case "decimal":
		if f.mandatory > maxStringLength {
			return "", errStringLength()
		}
		s = f.formatDecimal(v)
	case "sequence":
		return "", newErr("D3130", -1).withValue(f.token)
	}
	if neg {
		s = "-" + s
	}
	return s, nil
}

func (f *integerFormat) formatDecimal(v float64) string {
	s := formatNumberJS(v)
	if n := f.mandatory - utf8.RuneCountInString(s); n > 0 {
		s = strings.Repeat("0", n) + s
	}
	if f.zeroCode != '0' {
		rs := []rune(s)
		for i, r := range rs {
			rs[i] = r + f.zeroCode - '0'
		}
		s = string(rs)
	}
	rs := []rune(s)
	if f.regular {
		n := (len(rs) - 1) / f.groupPos
		for i := n; i > 0; i-- {
			pos := len(rs) - i*f.groupPos
			rs = append(rs[:pos], append([]rune(f.groupChar), rs[pos:]...)...)
		}
	} else {
		for i := len(f.separators) - 1; i >= 0; i-- {
			sep := f.separators[i]
			pos := len(rs) - sep.position
			// s.substr(0, pos) + sep + s.substr(pos), where a negative
			// pos gives "" before and the last -pos characters after.
			before, after := rs[:max(pos, 0)], rs[max(pos, 0):]
			if pos < 0 {
				after = rs[max(len(rs)+pos, 0):]
			}
			next := append(append(append([]rune{}, before...), []rune(sep.char)...), after...)
			rs = next
		}
	}
	s = string(rs)
	if f.ordinal {
		suffix := map[byte]string{'1': "st", '2': "nd", '3': "rd"}[s[len(s)-1]]
		if suffix == "" || (len(s) > 1 && s[len(s)-2] == '1') {
			suffix = "th"
		}
		s += suffix
	}
	return s
}

func fnFormatInteger(_ *evalCtx, _ *callInfo, x float64, args []any) (any, error) {
	picture, _ := argAt(args, 1).(string)
	f, err := analyseIntegerPicture(picture)
	if err != nil {
		return nil, err
	}
	s, err := f.format(math.Floor(x))
	if err != nil {
		return nil, err
	}
	return s, nil
}

func fnParseInteger(_ *evalCtx, _ *callInfo, s string, args []any) (any, error) {
	picture, _ := argAt(args, 1).(string)
	f, err := analyseIntegerPicture(picture)
	if err != nil {
		return nil, err
	}
	m, err := f.matcher()
	if err != nil {
		return nil, err
	}
	return m.parse(s), nil
}

// intMatcher recognises and parses one integer component.
type intMatcher struct {
	regex string
	parse func(string) float64
}

func (f *integerFormat) matcher() (*intMatcher, *Error) {
	occ := "+"
	if f.n > 0 {
		if f.optional == 0 {
			occ = "{" + strconv.Itoa(f.n) + "}"
		} else {
			occ = "{" + strconv.Itoa(f.n-f.optional) + "," + strconv.Itoa(f.n) + "}"
		}
	}
	switch f.primary {
	case "letters":
		a, re := 'a', "[a-z]+"
		if f.upper {
			a, re = 'A', "[A-Z]+"
		}
		return &intMatcher{re, func(s string) float64 { return lettersToDecimal(s, a) }}, nil
	case "roman":
		re := "[mdclxvi]+"
		if f.upper {
			re = "[MDCLXVI]+"
		}
		return &intMatcher{re, func(s string) float64 { return romanToDecimal(strings.ToUpper(s)) }}, nil
	case "words":
		return &intMatcher{wordsRegex, func(s string) float64 { return wordsToNumber(strings.ToLower(s)) }}, nil
	case "sequence":
		return nil, newErr("D3130", -1).withValue(f.token)
	}
	re := "[0-9]" + occ
	if f.ordinal {
		re += "(?:th|st|nd|rd)"
	}
	return &intMatcher{re, f.parseDecimal}, nil
}

func (f *integerFormat) parseDecimal(s string) float64 {
	digits := s
	if f.ordinal && len(digits) >= 2 {
		digits = digits[:len(digits)-2]
	}
	if f.regular {
		digits = strings.ReplaceAll(digits, ",", "")
	} else {
		for _, sep := range f.separators {
			digits = strings.ReplaceAll(digits, sep.char, "")
		}
	}
	if f.zeroCode != '0' && f.zeroCode != 0 {
		rs := []rune(digits)
		for i, r := range rs {
			rs[i] = r - f.zeroCode + '0'
		}
		digits = string(rs)
	}
	return parseIntJS(digits)
}

// parseIntJS is JavaScript's parseInt(s, 10): leading digits, NaN if none.
func parseIntJS(s string) float64 {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 0 {
		return math.NaN()
	}
	v, _ := strconv.ParseFloat(s[:j], 64)
	if neg {
		v = -v
	}
	return v
}
