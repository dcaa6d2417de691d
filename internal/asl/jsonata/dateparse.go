package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var isoDateRe = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$`)

// dateParse is Date.parse for the ISO 8601 forms $toMillis accepts; times
// without an offset are taken as UTC. NaN when the text is no valid date.
func dateParse(s string) float64 {
	m := isoDateRe.FindStringSubmatch(s)
	if m == nil {
		return math.NaN()
	}
	atoi := func(x string, def int) int {
		if x == "" {
			return def
		}
		v, _ := strconv.Atoi(x)
		return v
	}
	y, mo, d := atoi(m[1], 0), atoi(m[2], 1), atoi(m[3], 1)
	h, mi, sec := atoi(m[4], 0), atoi(m[5], 0), atoi(m[6], 0)
	ms := 0
	if m[7] != "" {
		frac := (m[7] + "00")[:3]
		ms = atoi(frac, 0)
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi > 0 || sec > 0 || ms > 0)) {
		return math.NaN()
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*1e6, time.UTC)
	millis := float64(t.UnixMilli())
	if z := m[8]; z != "" && z != "Z" {
		sign := 1.0
		if z[0] == '-' {
			sign = -1
		}
		z = strings.ReplaceAll(z[1:], ":", "")
		oh, om := atoi(z[:2], 0), atoi(z[2:], 0)
		millis -= sign * float64(oh*60+om) * 60000
	}
	return millis
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dtPart is one compiled piece of a date/time picture for parsing.
type dtPart struct {
	regex     string
	component byte
	parse     func(string) float64
}

func dtPartsFor(spec []*dtMarker) ([]dtPart, *Error) {
	var parts []dtPart
	for _, p := range spec {
		var part dtPart
		switch {
		case p.isLiteral:
			part.regex = regexp.QuoteMeta(p.literal)
		case p.component == 'Z' || p.component == 'z':
			part = tzPart(p)
		case p.intFmt != nil:
			p.intFmt.n = max(p.n, 0)
			m, err := p.intFmt.matcher()
			if err != nil {
				return nil, err
			}
			part.regex, part.parse = m.regex, m.parse
		default:
			np, err := namePart(p)
			if err != nil {
				return nil, err
			}
			part = np
		}
		part.component = p.component
		parts = append(parts, part)
	}
	return parts, nil
}

func tzPart(p *dtMarker) dtPart {
	sep := ""
	if p.intFmt.regular {
		sep = p.intFmt.groupChar
	}
	re := "[-+][0-9]+"
	if p.component == 'z' {
		re = "GMT" + re
	}
	if sep != "" {
		re += regexp.QuoteMeta(sep) + "[0-9]+"
	}
	return dtPart{regex: re, parse: func(v string) float64 {
		if p.component == 'z' {
			v = v[3:]
		}
		var h, m float64
		if sep != "" {
			i := strings.Index(v, sep)
			h, m = parseIntJS(v[:i]), parseIntJS(v[i+len(sep):])
		} else if len(v)-1 <= 2 {
			h = parseIntJS(v)
		} else {
			h, m = parseIntJS(v[:3]), parseIntJS(v[3:])
		}
		return h*60 + m
	}}
}

func namePart(p *dtMarker) (dtPart, *Error) {
	lookup := map[string]float64{}
	trunc := func(s string) string {
		if p.widthMax > 0 && len(s) > p.widthMax {
			return s[:p.widthMax]
		}
		return s
	}
	switch p.component {
	case 'M', 'x':
		for i, n := range monthNames {
			lookup[trunc(n)] = float64(i + 1)
		}
	case 'F':
		for i, n := range dayNames[1:] {
			lookup[trunc(n)] = float64(i + 1)
		}
	case 'P':
		lookup = map[string]float64{"am": 0, "AM": 0, "pm": 1, "PM": 1}
	default:
		return dtPart{}, newErr("D3133", -1).withValue(string(p.component))
	}
	return dtPart{regex: "[a-zA-Z]+", parse: func(v string) float64 {
		if x, ok := lookup[v]; ok {
			return x
		}
		return math.NaN()
	}}, nil
}

func (c *evalCtx) parseDateTime(ts, picture string) (any, error) {
	spec, err := analyseDateTimePicture(picture)
	if err != nil {
		return nil, err
	}
	parts, err := dtPartsFor(spec)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("(?i)^")
	for _, p := range parts {
		b.WriteString("(" + p.regex + ")")
	}
	b.WriteString("$")
	re, rerr := regexp.Compile(b.String())
	if rerr != nil {
		return undefined, nil
	}
	m := re.FindStringSubmatch(ts)
	if m == nil {
		return undefined, nil
	}
	comps := map[byte]float64{}
	for i, p := range parts {
		if p.parse != nil {
			comps[p.component] = p.parse(m[i+1])
		}
	}
	if len(comps) == 0 {
		return undefined, nil
	}
	return c.assembleDate(comps)
}

func maskOf(comps map[byte]float64, order string) int {
	mask := 0
	for i := 0; i < len(order); i++ {
		mask <<= 1
		if v, ok := comps[order[i]]; ok && v != 0 && !math.IsNaN(v) {
			mask++
		}
	}
	return mask
}

func isType(t, mask int) bool { return ^t&mask == 0 && t&mask != 0 }

// assembleDate fills unspecified components from the evaluation's
// timestamp (leading ones) or their minimum (trailing ones), as jsonata-js's
// parseDateTime does.
func (c *evalCtx) assembleDate(comps map[byte]float64) (any, error) {
	dm := maskOf(comps, "YXMxWwdD")
	dateA := isType(161, dm)
	dateB := !dateA && isType(130, dm)
	dateC := isType(84, dm)
	dateD := !dateC && isType(72, dm)
	tm := maskOf(comps, "PHhmsf")
	timeA := isType(23, tm)
	timeB := !timeA && isType(47, tm)
	dateComps := "YMD"
	switch {
	case dateB:
		dateComps = "YD"
	case dateC:
		dateComps = "XxwF"
	case dateD:
		dateComps = "XWF"
	}
	timeComps := "Hmsf"
	if timeB {
		timeComps = "Phmsf"
	}
	now := c.clock().UTC()
	started, ended := false, false
	for _, p := range []byte(dateComps + timeComps) {
		if _, ok := comps[p]; !ok {
			if started {
				comps[p] = 0
				if strings.IndexByte("MDd", p) >= 0 {
					comps[p] = 1
				}
				ended = true
			} else {
				v, _ := dateFragment(now, p).(float64)
				comps[p] = v
			}
			continue
		}
		started = true
		if ended {
			return nil, newErr("D3136", -1)
		}
	}
	if comps['M'] > 0 {
		comps['M']--
	} else {
		comps['M'] = 0
	}
	if dateB {
		d := time.UnixMilli(int64(dateUTC(int(comps['Y']), 0) + (comps['d']-1)*millisInDay)).UTC()
		comps['M'], comps['D'] = float64(int(d.Month())-1), float64(d.Day())
	}
	if dateC || dateD {
		return nil, newErr("D3136", -1)
	}
	if timeB {
		h := comps['h']
		if h == 12 {
			h = 0
		}
		if comps['P'] == 1 {
			h += 12
		}
		comps['H'] = h
	}
	for _, k := range []byte("YMDHmsf") {
		if math.IsNaN(comps[k]) {
			return math.NaN(), nil
		}
	}
	t := time.Date(int(comps['Y']), time.Month(int(comps['M'])+1), int(comps['D']), int(comps['H']), int(comps['m']), int(comps['s']), int(comps['f'])*1e6, time.UTC)
	millis := float64(t.UnixMilli())
	if z := comps['Z'] + comps['z']; z != 0 {
		millis -= z * 60 * 1000
	}
	return millis, nil
}
