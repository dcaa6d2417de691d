package jsonata

import (
	"math"
	"regexp"
	"strings"
	"time"
)

var (
	wordSplitRe = regexp.MustCompile(`,\s|\sand\s|[\s\\-]`)
	wordsRegex  = func() string {
		var ws []string
		for _, w := range numberWords {
			ws = append(ws, w.word)
		}
		ws = append(ws, "and", `[\-, ]`)
		return "(?:" + strings.Join(ws, "|") + ")+"
	}()
)

// dtMarker is one [...] component of a date/time picture, or a literal.
type dtMarker struct {
	literal   string
	isLiteral bool
	component byte
	pres1     string
	pres2     string
	ordinal   bool
	names     string // "", lower, upper, title
	intFmt    *integerFormat
	widthMin  int // -1 unset
	widthMax  int // -1 unset
	n         int
}

var defaultPresentation = map[byte]string{'Y': "1", 'M': "1", 'D': "1", 'd': "1", 'F': "n", 'W': "1", 'w': "1", 'X': "1", 'x': "1", 'H': "1", 'h': "1", 'P': "n", 'm': "01", 's': "01", 'f': "1", 'Z': "01:01", 'z': "01:01", 'C': "n", 'E': "n"}

var spaceRe = regexp.MustCompile(`\s+`)

func analyseDateTimePicture(picture string) ([]*dtMarker, *Error) {
	var spec []*dtMarker
	addLiteral := func(s string) {
		if s != "" {
			spec = append(spec, &dtMarker{isLiteral: true, literal: strings.ReplaceAll(s, "]]", "]")})
		}
	}
	start, pos := 0, 0
	for pos < len(picture) {
		if picture[pos] != '[' {
			pos++
			continue
		}
		if pos+1 < len(picture) && picture[pos+1] == '[' {
			addLiteral(picture[start:pos])
			spec = append(spec, &dtMarker{isLiteral: true, literal: "["})
			pos += 2
			start = pos
			continue
		}
		addLiteral(picture[start:pos])
		end := strings.IndexByte(picture[pos:], ']')
		if end < 0 {
			return nil, newErr("D3135", -1)
		}
		m, err := parseMarker(spaceRe.ReplaceAllString(picture[pos+1:pos+end], ""))
		if err != nil {
			return nil, err
		}
		spec = append(spec, m)
		pos += end + 1
		start = pos
	}
	addLiteral(picture[start:pos])
	return spec, nil
}

func parseMarker(marker string) (*dtMarker, *Error) {
	def := &dtMarker{widthMin: -1, widthMax: -1}
	if marker != "" {
		def.component = marker[0]
	}
	pres := ""
	if comma := strings.LastIndexByte(marker, ','); comma != -1 {
		width := marker[comma+1:]
		minS, maxS, hasMax := strings.Cut(width, "-")
		def.widthMin = parseWidth(minS)
		if hasMax {
			def.widthMax = parseWidth(maxS)
		}
		pres = marker[min(1, comma):comma]
	} else if len(marker) > 0 {
		pres = marker[1:]
	}
	switch {
	case len(pres) == 1:
		def.pres1 = pres
	case len(pres) > 1:
		last := pres[len(pres)-1]
		if strings.IndexByte("atco", last) >= 0 {
			def.pres2 = string(last)
			def.ordinal = last == 'o'
			def.pres1 = pres[:len(pres)-1]
		} else {
			def.pres1 = pres
		}
	default:
		p, ok := defaultPresentation[def.component]
		if !ok {
			return nil, newErr("D3132", -1).withValue(string(def.component))
		}
		def.pres1 = p
	}
	return def, def.analyse()
}

func parseWidth(s string) int {
	if s == "" || s == "*" {
		return -1
	}
	v := parseIntJS(s)
	if math.IsNaN(v) {
		return -1
	}
	return int(v)
}

func (def *dtMarker) analyse() *Error {
	switch {
	case def.pres1[0] == 'n':
		def.names = "lower"
	case def.pres1[0] == 'N':
		if len(def.pres1) > 1 && def.pres1[1] == 'n' {
			def.names = "title"
		} else {
			def.names = "upper"
		}
	case strings.IndexByte("YMDdFWwXxHhmsf", def.component) >= 0:
		pic := def.pres1
		if def.pres2 != "" {
			pic += ";" + def.pres2
		}
		f, err := analyseIntegerPicture(pic)
		if err != nil {
			return err
		}
		def.intFmt = f
		if def.widthMin >= 0 && f.mandatory < def.widthMin {
			f.mandatory = def.widthMin
		}
		if strings.IndexByte("YMD", def.component) >= 0 {
			def.n = -1
			if def.widthMax >= 0 {
				def.n = def.widthMax
				f.mandatory = def.n
			} else if w := f.mandatory + f.optional; w >= 2 {
				def.n = w
			}
		}
	}
	if def.component == 'Z' || def.component == 'z' {
		f, err := analyseIntegerPicture(def.pres1)
		if err != nil {
			return err
		}
		def.intFmt = f
	}
	return nil
}

var (
	dayNames   = []string{"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

const millisInDay = 86400000

func dateUTC(y, m int) float64 {
	return float64(time.Date(y, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli())
}

func startOfFirstWeek(y, m int) float64 {
	jan1 := dateUTC(y, m)
	d := int(time.UnixMilli(int64(jan1)).UTC().Weekday())
	if d == 0 {
		d = 7
	}
	if d > 4 {
		return jan1 + float64(8-d)*millisInDay
	}
	return jan1 - float64(d-1)*millisInDay
}

func deltaWeeks(start, end float64) float64 { return (end-start)/(millisInDay*7) + 1 }

func nextMonth(y, m int) (int, int) {
	if m == 11 {
		return y + 1, 0
	}
	return y, m + 1
}

func prevMonth(y, m int) (int, int) {
	if m == 0 {
		return y - 1, 11
	}
	return y, m - 1
}

// dateFragment is getDateTimeFragment: one component of a UTC time.
func dateFragment(t time.Time, comp byte) any {
	y, mo, d := t.Year(), int(t.Month())-1, t.Day()
	today := float64(time.Date(y, time.Month(mo+1), d, 0, 0, 0, 0, time.UTC).UnixMilli())
	switch comp {
	case 'Y':
		return float64(y)
	case 'M':
		return float64(mo + 1)
	case 'D':
		return float64(d)
	case 'd':
		return (today-dateUTC(y, 0))/millisInDay + 1
	case 'F':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return float64(wd)
	case 'W':
		return weekInYear(y, today)
	case 'w':
		return weekInMonth(y, mo, today)
	case 'X':
		now := float64(t.UnixMilli())
		switch {
		case now < startOfFirstWeek(y, 0):
			return float64(y - 1)
		case now >= startOfFirstWeek(y+1, 0):
			return float64(y + 1)
		}
		return float64(y)
	case 'x':
		now := float64(t.UnixMilli())
		ny, nm := nextMonth(y, mo)
		switch {
		case now < startOfFirstWeek(y, mo):
			_, pm := prevMonth(y, mo)
			return float64(pm + 1)
		case now >= startOfFirstWeek(ny, nm):
			return float64(nm + 1)
		}
		return float64(mo + 1)
	case 'H':
		return float64(t.Hour())
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return float64(h)
	case 'P':
		if t.Hour() >= 12 {
			return "pm"
		}
		return "am"
	case 'm':
		return float64(t.Minute())
	case 's':
		return float64(t.Second())
	case 'f':
		return float64(t.Nanosecond() / 1e6)
	case 'C', 'E':
		return "ISO"
	}
	return undefined
}

func weekInYear(y int, today float64) float64 {
	week := deltaWeeks(startOfFirstWeek(y, 0), today)
	if week > 52 {
		if today >= startOfFirstWeek(y+1, 0) {
			week = 1
		}
	} else if week < 1 {
		week = deltaWeeks(startOfFirstWeek(y-1, 0), today)
	}
	return math.Floor(week)
}

func weekInMonth(y, mo int, today float64) float64 {
	week := deltaWeeks(startOfFirstWeek(y, mo), today)
	if week > 4 {
		ny, nm := nextMonth(y, mo)
		if today >= startOfFirstWeek(ny, nm) {
			week = 1
		}
	} else if week < 1 {
		py, pm := prevMonth(y, mo)
		week = deltaWeeks(startOfFirstWeek(py, pm), today)
	}
	return math.Floor(week)
}

var isoSpec, _ = analyseDateTimePicture("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]")

// formatDateTime is $fromMillis's formatting.
func formatDateTime(millis float64, picture string, hasPicture bool, tz string, hasTZ bool) (string, error) {
	offH, offM := 0, 0
	if hasTZ {
		off := parseIntJS(tz)
		if !math.IsNaN(off) {
			offH = int(math.Floor(off / 100))
			offM = int(math.Mod(off, 100))
		}
	}
	spec := isoSpec
	if hasPicture {
		var err *Error
		if spec, err = analyseDateTimePicture(picture); err != nil {
			return "", err
		}
	}
	offMillis := float64((60*offH + offM) * 60 * 1000)
	ms := millis + offMillis
	// Beyond ±8.64e15 ms a JavaScript Date is invalid: every component
	// is NaN.
	invalid := math.IsNaN(ms) || math.Abs(ms) > 8.64e15
	t := time.UnixMilli(int64(ms)).UTC()
	var b strings.Builder
	for _, part := range spec {
		if part.isLiteral {
			b.WriteString(part.literal)
			continue
		}
		s, err := formatComponent(t, invalid, part, offH, offM)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func formatComponent(t time.Time, invalid bool, m *dtMarker, offH, offM int) (string, *Error) {
	v := dateFragment(t, m.component)
	if _, isNum := v.(float64); isNum && invalid {
		v = math.NaN()
	} else if invalid && m.component == 'P' {
		v = "am" // NaN >= 12 is false
	}
	switch {
	case strings.IndexByte("YMDdFWwXxHhms", m.component) >= 0:
		f, _ := v.(float64)
		if m.component == 'Y' && m.n != -1 {
			f = math.Mod(f, math.Pow(10, float64(m.n)))
		}
		if m.names != "" {
			return componentName(m, f)
		}
		return m.intFmt.format(f)
	case m.component == 'f':
		return m.intFmt.format(v.(float64))
	case m.component == 'Z' || m.component == 'z':
		return formatTimezone(m, offH, offM)
	case m.component == 'P':
		s, _ := v.(string)
		if m.names == "upper" {
			s = strings.ToUpper(s)
		}
		return s, nil
	case m.component == 'C' || m.component == 'E':
		return "ISO", nil
	}
	return "undefined", nil
}

func componentName(m *dtMarker, f float64) (string, *Error) {
	var s string
	switch m.component {
	case 'M', 'x':
		if f < 1 || f > 12 || math.IsNaN(f) {
			return "undefined", nil // months[NaN] in an invalid date
		}
		s = monthNames[int(f)-1]
	case 'F':
		if f < 1 || f > 7 || math.IsNaN(f) {
			return "undefined", nil
		}
		s = dayNames[int(f)]
	default:
		return "", newErr("D3133", -1).withValue(string(m.component))
	}
	switch m.names {
	case "upper":
		s = strings.ToUpper(s)
	case "lower":
		s = strings.ToLower(s)
	}
	if m.widthMax >= 0 && len(s) > m.widthMax {
		s = s[:m.widthMax]
	}
	return s, nil
}

func formatTimezone(m *dtMarker, offH, offM int) (string, *Error) {
	off := offH*100 + offM
	f := m.intFmt
	var s string
	var err *Error
	if f.regular {
		s, err = f.format(float64(off))
	} else {
		switch f.mandatory {
		case 1, 2:
			s, err = f.format(float64(offH))
			if offM != 0 {
				mm, _ := (&integerFormat{primary: "decimal", zeroCode: '0', mandatory: 2}).format(float64(offM))
				s += ":" + mm
			}
		case 3, 4:
			s, err = f.format(float64(off))
		default:
			return "", newErr("D3134", -1).withValue(float64(f.mandatory))
		}
	}
	if err != nil {
		return "", err
	}
	if off >= 0 {
		s = "+" + s
	}
	if m.component == 'z' {
		s = "GMT" + s
	}
	if off == 0 && m.pres2 == "t" {
		s = "Z"
	}
	return s, nil
}

func fnFromMillis(_ *evalCtx, _ *callInfo, ms float64, args []any) (any, error) {
	pic, hasPic := argAt(args, 1).(string)
	tz, hasTZ := argAt(args, 2).(string)
	return formatDateTime(ms, pic, hasPic, tz, hasTZ)
}

var iso8601Re = regexp.MustCompile(`^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$`)

func fnToMillis(c *evalCtx, _ *callInfo, ts string, args []any) (any, error) {
	if pic, ok := argAt(args, 1).(string); ok {
		return c.parseDateTime(ts, pic)
	}
	if !iso8601Re.MatchString(ts) {
		return nil, newErr("D3110", -1).withValue(ts)
	}
	return dateParse(ts), nil
}
