package asl

import (
	"strings"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// distributed is what a Distributed Map state has besides an inline one:
// where its items come from, how they are batched, where its results go,
// how many failed child executions it tolerates, and its Map Run's label.
type distributed struct {
	express bool // ProcessorConfig.ExecutionType EXPRESS
	label   string
	reader  *itemReader
	batcher *itemBatcher
	writer  *resultWriter
	// tolCount and tolPercent are ToleratedFailureCount(Path) and
	// ToleratedFailurePercentage(Path).
	tolCount, tolPercent numField
}

// numField is a number a Distributed Map reads: a literal, a JSONPath
// (the field's ...Path form) into the state's input, or a JSONata
// expression.
type numField struct {
	name string // the field's name, e.g. "MaxItems"
	set  bool
	lit  float64
	path *jsonpath.Path
	j    *jfield
}

// The ItemReader resources.
const (
	s3GetObject     = "arn:aws:states:::s3:getObject"
	s3ListObjectsV2 = "arn:aws:states:::s3:listObjectsV2"
	s3PutObject     = "arn:aws:states:::s3:putObject"
)

// itemReader is a Distributed Map's ItemReader.
type itemReader struct {
	resource string
	list     bool      // s3:listObjectsV2
	params   *template // JSONPath Parameters
	args     *jfield   // JSONata Arguments
	// ReaderConfig
	inputType      string // JSON, JSONL or CSV (s3:getObject)
	csvFirstRow    bool   // CSVHeaderLocation FIRST_ROW (the default)
	csvHeaders     []string
	csvDelimiter   rune
	maxItems       numField
	hasReaderConfg bool
}

// itemBatcher is a Distributed Map's ItemBatcher.
type itemBatcher struct {
	maxItems, maxBytes numField
	batchInput         *template // JSONPath BatchInput
	batchInputJ        *jfield   // JSONata BatchInput
}

// resultWriter is a Distributed Map's ResultWriter.
type resultWriter struct {
	resource       string    // s3:putObject; empty with WriterConfig alone
	params         *template // JSONPath Parameters
	args           *jfield   // JSONata Arguments
	outputType     string    // WriterConfig.OutputType: JSON (default) or JSONL
	transformation string    // WriterConfig.Transformation: NONE, COMPACT or FLATTEN
}

// MaxMapRunLabelLength is the longest Label Step Functions accepts.
const MaxMapRunLabelLength = 40

// distributedFields reads the fields only a Distributed Map has.
func (p *parser) distributedFields(f *fields, s *State) {
	d := s.dist
	if l, ok := f.str("Label", false); ok {
		switch {
		case len(l) > MaxMapRunLabelLength:
			p.addf(f.at("Label"), "must be at most %d characters", MaxMapRunLabelLength)
		case strings.ContainsAny(l, " \t\n<>{}[]?*\"#%\\^|~`$&,;:/"):
			p.addf(f.at("Label"), "%q has a character Step Functions does not allow in a label (whitespace, brackets, wildcards, punctuation)", l)
		default:
			d.label = l
		}
	}
	d.tolCount = p.numberField(f, s, "ToleratedFailureCount", true)
	d.tolPercent = p.numberField(f, s, "ToleratedFailurePercentage", false)
	if d.tolCount.set && d.tolCount.path == nil && d.tolCount.j == nil && d.tolCount.lit < 0 {
		p.addf(f.at("ToleratedFailureCount"), "must be >= 0")
	}
	if t := d.tolPercent; t.set && t.path == nil && t.j == nil && (t.lit < 0 || t.lit > 100) {
		p.addf(f.at("ToleratedFailurePercentage"), "must be between 0 and 100")
	}
	if v, ok := f.raw("ItemReader"); ok {
		d.reader = p.itemReader(f.at("ItemReader"), v, s)
	}
	if v, ok := f.raw("ItemBatcher"); ok {
		d.batcher = p.itemBatcher(f.at("ItemBatcher"), v, s)
	}
	if v, ok := f.raw("ResultWriter"); ok {
		d.writer = p.resultWriter(f.at("ResultWriter"), v, s)
	}
}

// numberField reads a number field of a Distributed Map, in the state's
// language: KEY or KEYPath in JSONPath, KEY as a literal or an expression in
// JSONata. For a JSONata Map's tolerances, jsonataMap has read them
// already (State.tolerated).
func (p *parser) numberField(f *fields, s *State, key string, integer bool) numField {
	n := numField{name: key}
	if s.jsonata {
		for _, t := range s.tolerated {
			if t.field == key {
				n.set, n.j = true, t.j
				n.lit, _ = value.Float(t.lit)
				return n
			}
		}
		jf, v, ok := p.exprOr(f, s, key, func(v any) bool { x, ok := value.Float(v); return ok && x >= 0 }, "a non-negative number")
		if ok {
			n.set, n.j = true, jf
			n.lit, _ = value.Float(v)
		}
		return n
	}
	if integer {
		if i, ok := f.integer(key, 0); ok {
			n.set, n.lit = true, float64(i)
		}
	} else if x, ok := f.number(key); ok {
		n.set, n.lit = true, x
	}
	if pth := f.path(key + "Path"); pth != nil {
		if n.set {
			p.addf(f.where, "has both %s and %sPath; keep one", key, key)
		}
		n.set, n.path = true, pth
	}
	return n
}

// subFields reads v, which must be an object, as the fields of where.
func (p *parser) subFields(where string, v any) *fields {
	obj, ok := v.(map[string]any)
	if !ok {
		p.addf(where, "must be an object, not %s", value.TypeName(v))
		return nil
	}
	return p.fields(where, obj)
}

// payload reads the Parameters (JSONPath) or Arguments (JSONata) of an
// ItemReader or ResultWriter.
func (p *parser) payload(f *fields, s *State) (*template, *jfield) {
	if s.jsonata {
		if f.has("Parameters") {
			f.raw("Parameters")
			p.addf(f.at("Parameters"), "is a JSONPath field; a JSONata state takes Arguments")
		}
		if v, ok := f.raw("Arguments"); ok {
			return nil, p.compileJ(f.at("Arguments"), "Arguments", v, roleInput)
		}
		return nil, nil
	}
	if f.has("Arguments") {
		f.raw("Arguments")
		p.addf(f.at("Arguments"), "is a JSONata field; a JSONPath state takes Parameters")
	}
	return f.template("Parameters"), nil
}

func (p *parser) itemReader(where string, v any, s *State) *itemReader {
	f := p.subFields(where, v)
	if f == nil {
		return nil
	}
	r := &itemReader{inputType: "JSON", csvFirstRow: true, csvDelimiter: ','}
	r.resource, _ = f.str("Resource", true)
	switch r.resource {
	case s3GetObject, "":
	case s3ListObjectsV2:
		r.list = true
	default:
		p.addf(f.at("Resource"), "%q is not an ItemReader yafdp can read; use %q (a JSON, JSONL or CSV object) or %q (a bucket listing)", r.resource, s3GetObject, s3ListObjectsV2)
	}
	r.params, r.args = p.payload(f, s)
	if rc, ok := f.raw("ReaderConfig"); ok {
		r.hasReaderConfg = true
		p.readerConfig(f.at("ReaderConfig"), rc, s, r)
	} else if !r.list && r.resource == s3GetObject {
		p.addf(f.at("ReaderConfig"), "is required with %s: give InputType JSON, JSONL or CSV", s3GetObject)
	}
	f.finish("an ItemReader")
	return r
}

func (p *parser) readerConfig(where string, v any, s *State, r *itemReader) {
	f := p.subFields(where, v)
	if f == nil {
		return
	}
	if t, ok := f.str("InputType", false); ok {
		switch t {
		case "JSON", "JSONL", "CSV":
			r.inputType = t
		case "MANIFEST", "PARQUET":
			p.addf(f.at("InputType"), "%s is not read by yafdp yet; use JSON, JSONL or CSV", t)
		default:
			p.addf(f.at("InputType"), "must be JSON, JSONL or CSV, not %q", t)
		}
		if r.list {
			p.addf(f.at("InputType"), "does not apply to %s, which lists objects", s3ListObjectsV2)
		}
	} else if !r.list {
		p.addf(f.at("InputType"), "is required: JSON, JSONL or CSV")
	}
	if loc, ok := f.str("CSVHeaderLocation", false); ok {
		switch loc {
		case "FIRST_ROW":
		case "GIVEN":
			r.csvFirstRow = false
		default:
			p.addf(f.at("CSVHeaderLocation"), "must be FIRST_ROW or GIVEN, not %q", loc)
		}
	}
	if hv, ok := f.raw("CSVHeaders"); ok {
		list, isList := hv.([]any)
		for _, h := range list {
			hs, isStr := h.(string)
			if !isStr {
				isList = false
				break
			}
			r.csvHeaders = append(r.csvHeaders, hs)
		}
		if !isList {
			p.addf(f.at("CSVHeaders"), "must be an array of strings")
		}
	}
	if r.inputType == "CSV" && !r.csvFirstRow && len(r.csvHeaders) == 0 {
		p.addf(f.at("CSVHeaders"), "is required with CSVHeaderLocation GIVEN: list the column names")
	}
	if r.csvFirstRow && len(r.csvHeaders) > 0 {
		p.addf(f.at("CSVHeaders"), "applies only with CSVHeaderLocation GIVEN")
	}
	if d, ok := f.str("CSVDelimiter", false); ok {
		delims := map[string]rune{"COMMA": ',', "PIPE": '|', "SEMICOLON": ';', "SPACE": ' ', "TAB": '\t'}
		if c, known := delims[d]; known {
			r.csvDelimiter = c
		} else {
			p.addf(f.at("CSVDelimiter"), "must be COMMA, PIPE, SEMICOLON, SPACE or TAB, not %q", d)
		}
	}
	r.maxItems = p.numberField(f, s, "MaxItems", true)
	f.finish("a ReaderConfig")
}

func (p *parser) itemBatcher(where string, v any, s *State) *itemBatcher {
	f := p.subFields(where, v)
	if f == nil {
		return nil
	}
	b := &itemBatcher{}
	b.maxItems = p.numberField(f, s, "MaxItemsPerBatch", true)
	b.maxBytes = p.numberField(f, s, "MaxInputBytesPerBatch", true)
	if !b.maxItems.set && !b.maxBytes.set {
		p.addf(where, "needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path forms)")
	}
	if n := b.maxBytes; n.set && n.path == nil && n.j == nil && n.lit > MaxPayloadBytes {
		p.addf(f.at("MaxInputBytesPerBatch"), "must be at most %d (256 KiB)", MaxPayloadBytes)
	}
	if s.jsonata {
		if v, ok := f.raw("BatchInput"); ok {
			b.batchInputJ = p.compileJ(f.at("BatchInput"), "BatchInput", v, roleInput)
		}
	} else {
		b.batchInput = f.template("BatchInput")
	}
	f.finish("an ItemBatcher")
	return b
}

func (p *parser) resultWriter(where string, v any, s *State) *resultWriter {
	f := p.subFields(where, v)
	if f == nil {
		return nil
	}
	w := &resultWriter{outputType: "JSON"}
	if r, ok := f.str("Resource", false); ok {
		w.resource = r
		if r != s3PutObject {
			p.addf(f.at("Resource"), "must be %q, not %q", s3PutObject, r)
		}
	}
	w.params, w.args = p.payload(f, s)
	hasPayload := w.params != nil || w.args != nil
	if w.resource != "" && !hasPayload {
		key := "Parameters"
		if s.jsonata {
			key = "Arguments"
		}
		p.addf(f.at(key), "is required with Resource: give the Bucket and Prefix to write to")
	}
	if hasPayload && w.resource == "" {
		p.addf(f.at("Resource"), "is required with a Bucket and Prefix: %q", s3PutObject)
	}
	if wc, ok := f.raw("WriterConfig"); ok {
		if cf := p.subFields(f.at("WriterConfig"), wc); cf != nil {
			if t, ok := cf.str("OutputType", false); ok {
				if t != "JSON" && t != "JSONL" {
					p.addf(cf.at("OutputType"), "must be JSON or JSONL, not %q", t)
				}
				w.outputType = t
			}
			if t, ok := cf.str("Transformation", false); ok {
				if t != "NONE" && t != "COMPACT" && t != "FLATTEN" {
					p.addf(cf.at("Transformation"), "must be NONE, COMPACT or FLATTEN, not %q", t)
				}
				w.transformation = t
			}
			cf.finish("a WriterConfig")
		}
	} else if w.resource == "" {
		p.addf(where, "must not be empty: give Resource and %s (where to write), WriterConfig (how), or both", map[bool]string{false: "Parameters", true: "Arguments"}[s.jsonata])
	}
	if w.transformation == "" {
		// NONE when the results go to S3, COMPACT when they are the output.
		w.transformation = "COMPACT"
		if w.resource != "" {
			w.transformation = "NONE"
		}
	}
	f.finish("a ResultWriter")
	return w
}

// shareWithChildren gives the item processor of every Distributed Map,
// which runs as child executions of its own, what the engine needs to know
// of a whole document: whether it reads the context object and how many
// variables it may hold.
func (m *StateMachine) shareWithChildren(root *StateMachine) {
	for _, s := range m.States {
		for _, b := range s.Branches {
			b.shareWithChildren(root)
		}
		if s.Processor == nil {
			continue
		}
		if s.dist != nil {
			s.Processor.readsContext = root.readsContext
			s.Processor.usesVars = root.usesVars
		}
		s.Processor.shareWithChildren(root)
	}
}
