package awsshapes

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// section is one service's part of the table, parsed on first use so
// that a command that looks up one service does not parse them all.
type section struct {
	dir, version, sdk, optimized string
	text                         string // the op and shape lines

	once   sync.Once
	ops    map[string]*Operation // by lower-case name
	shapes map[string]*Shape
}

// index finds the sections and their names without parsing them.
func index() {
	byName = map[string]*section{}
	for _, sec := range splitSections(table) {
		byName[sec.sdk] = sec
		if sec.optimized != "" {
			byName[sec.optimized] = sec
		}
	}
}

func splitSections(text string) []*section {
	var out []*section
	for _, chunk := range strings.Split(text, "\nservice ")[1:] {
		head, body, _ := strings.Cut(chunk, "\n")
		f := strings.Fields(head)
		sec := &section{text: body}
		if len(f) > 0 {
			sec.dir = f[0]
		}
		if len(f) > 1 {
			sec.version = f[1]
		}
		for _, kv := range f[min(2, len(f)):] {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "sdk":
				sec.sdk = v
			case "optimized":
				sec.optimized = v
			}
		}
		out = append(out, sec)
	}
	return out
}

// load parses the section once. The table is generated and tested, so a
// line it cannot read is a broken build, not bad input.
func (s *section) load() *section {
	s.once.Do(func() {
		if err := s.parse(); err != nil {
			panic("awsshapes: shapes.txt: " + err.Error())
		}
	})
	return s
}

// parse reads the section in two passes: one Shape per named line, then
// their members, so that shapes may refer to each other in any order.
func (s *section) parse() error {
	lines := strings.Split(strings.TrimRight(s.text, "\n"), "\n")
	s.shapes = map[string]*Shape{}
	s.ops = map[string]*Operation{}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] == "op" || strings.HasPrefix(f[0], "#") {
			continue
		}
		t, ok := namedTypes[f[0]]
		if !ok {
			return fmt.Errorf("service %s: unknown line %q", s.dir, line)
		}
		s.shapes[f[1]] = &Shape{Name: f[1], Type: t}
	}
	for _, line := range lines {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := s.parseLine(line); err != nil {
			return fmt.Errorf("service %s: %q: %w", s.dir, line, err)
		}
	}
	return nil
}

var namedTypes = map[string]Type{"structure": Structure, "union": Union, "list": List, "map": Map, "enum": Enum}

var primitives = map[string]*Shape{}

func init() {
	for t := String; t <= Document; t++ {
		primitives[t.String()] = &Shape{Type: t}
	}
}

func (s *section) parseLine(line string) error {
	f := strings.Fields(line)
	var err error
	switch f[0] {
	case "op":
		return s.parseOp(f)
	case "structure", "union":
		sh := s.shapes[f[1]]
		for _, m := range f[2:] {
			var mem Member
			if mem, err = s.member(m); err != nil {
				return err
			}
			sh.Members = append(sh.Members, mem)
		}
	case "list":
		if len(f) != 3 {
			return fmt.Errorf("a list has one element type")
		}
		s.shapes[f[1]].Elem, err = s.ref(f[2])
	case "map":
		if len(f) != 4 {
			return fmt.Errorf("a map has a key and a value type")
		}
		sh := s.shapes[f[1]]
		if sh.Key, err = s.ref(f[2]); err == nil {
			sh.Value, err = s.ref(f[3])
		}
	case "enum":
		s.shapes[f[1]].Values, err = enumValues(line)
	}
	return err
}

func (s *section) parseOp(f []string) error {
	if len(f) != 4 {
		return fmt.Errorf("an op line has a name, an input and an output")
	}
	op := &Operation{Service: s.dir, Name: f[1]}
	var err error
	if f[2] != "-" {
		op.Input, err = s.ref(f[2])
	}
	if err == nil && f[3] != "-" {
		op.Output, err = s.ref(f[3])
	}
	s.ops[strings.ToLower(f[1])] = op
	return err
}

// member reads NAME[!]:TYPE.
func (s *section) member(tok string) (Member, error) {
	name, typ, ok := strings.Cut(tok, ":")
	if !ok || name == "" {
		return Member{}, fmt.Errorf("member %q is not NAME:TYPE", tok)
	}
	name, required := strings.CutSuffix(name, "!")
	m := Member{Name: sfnName(name), ModelName: name, Required: required}
	if i := strings.IndexByte(typ, '['); i >= 0 {
		if err := m.parseBounds(typ[i:]); err != nil {
			return Member{}, fmt.Errorf("member %q: %w", tok, err)
		}
		typ = typ[:i]
	}
	sh, err := s.ref(typ)
	m.Shape = sh
	return m, err
}

// parseBounds reads a member's "[MIN,MAX]", either of which may be empty.
func (m *Member) parseBounds(b string) error {
	inner, ok := strings.CutSuffix(strings.TrimPrefix(b, "["), "]")
	lo, hi, comma := strings.Cut(inner, ",")
	if !ok || !comma {
		return fmt.Errorf("bounds %q are not [MIN,MAX]", b)
	}
	var err error
	if lo != "" {
		m.HasMin = true
		if m.Min, err = strconv.ParseFloat(lo, 64); err != nil {
			return err
		}
	}
	if hi != "" {
		m.HasMax = true
		if m.Max, err = strconv.ParseFloat(hi, 64); err != nil {
			return err
		}
	}
	return nil
}

func (s *section) ref(name string) (*Shape, error) {
	if p, ok := primitives[name]; ok {
		return p, nil
	}
	if sh, ok := s.shapes[name]; ok {
		return sh, nil
	}
	return nil, fmt.Errorf("no shape named %q in this service", name)
}

// enumValues reads the values after "enum NAME"; a quoted value is a Go
// string literal and may hold spaces.
func enumValues(line string) ([]string, error) {
	rest := line
	for range 2 { // skip "enum" and the name
		_, rest, _ = strings.Cut(strings.TrimLeft(rest, " "), " ")
	}
	var out []string
	for rest = strings.TrimLeft(rest, " "); rest != ""; rest = strings.TrimLeft(rest, " ") {
		if rest[0] != '"' {
			v, after, _ := strings.Cut(rest, " ")
			out, rest = append(out, v), after
			continue
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Unquote(q)
		out, rest = append(out, v), rest[len(q):]
	}
	return out, nil
}
