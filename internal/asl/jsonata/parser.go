package jsonata

// parser is a Pratt (top-down operator precedence) parser over the lexer's
// tokens, shaped like jsonata-js's so that error codes and positions match.
type parser struct {
	lex  *lexer
	cur  *token
	id   string // symbol id of cur: the operator, or (name) (literal) (regex) (end)
	end  int    // source length in UTF-16 units
	anc  ancestry
	fail *Error
}

// bail aborts parsing with err; parse recovers it.
type bail struct{ err *Error }

func (p *parser) throw(err *Error) { panic(bail{err}) }

// parse turns source text into a post-processed AST.
func parse(src string) (root *node, err error) {
	p := &parser{lex: newLexer(src)}
	p.end = p.lex.u16[len(p.lex.src)]
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			root, err = nil, b.err
		}
	}()
	p.advance("", false)
	expr := p.expression(0)
	if p.id != "(end)" {
		p.throw(p.literalToken(newErr("S0201", p.cur.pos).withToken(p.tokenValue())))
	}
	expr = p.process(expr)
	if expr.typ == nParent || expr.seekingParent != nil {
		p.throw(newErr("S0217", expr.pos).withToken(typeName(expr)))
	}
	walk(expr, markSimple)
	return expr, nil
}

// literalToken marks a number, true/false/null or regex token, which
// messages print as JSON values rather than strings.
func (p *parser) literalToken(e *Error) *Error {
	switch p.cur.kind {
	case tokNumber, tokValue:
		e.tokenLit = p.tokenValue()
	case tokRegex:
		e.tokenLit = "{}" // JSON.stringify of a RegExp
	}
	return e
}

// tokenValue is the current token's value as jsonata-js would print it.
func (p *parser) tokenValue() string {
	switch p.cur.kind {
	case tokEnd:
		return "(end)"
	case tokNumber:
		return formatNumberJS(p.cur.num)
	case tokValue:
		switch v := p.cur.val.(type) {
		case bool:
			if v {
				return "true"
			}
			return "false"
		}
		return "null"
	}
	return p.cur.str
}

func (p *parser) lbp() int {
	switch p.cur.kind {
	case tokOperator:
		switch p.id {
		case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in",
			"~>", "(", "[", "^", "{", ":=", "@", "#", "?":
			return operators[p.id]
		}
	}
	return 0
}

// advance moves to the next token, first checking that the current one is
// id when id is given.
func (p *parser) advance(id string, infix bool) {
	if id != "" && p.id != id {
		code := "S0202"
		if p.id == "(end)" {
			code = "S0203"
		}
		e := newErr(code, p.cur.pos).withToken(p.tokenValue()).withValue(id)
		p.throw(p.literalToken(e))
	}
	t, err := p.lex.next(infix)
	if err != nil {
		p.throw(err)
	}
	if t == nil {
		p.cur = &token{kind: tokEnd, pos: p.end}
		p.id = "(end)"
		return
	}
	p.cur = t
	switch t.kind {
	case tokName, tokVariable:
		p.id = "(name)"
	case tokString, tokNumber, tokValue:
		p.id = "(literal)"
	case tokRegex:
		p.id = "(regex)"
	case tokOperator:
		if t.str == "!" || t.str == "~" {
			p.throw(newErr("S0204", t.pos).withToken(t.str))
		}
		p.id = t.str
	}
}

func (p *parser) expression(rbp int) *node {
	t := p.cur
	id := p.id
	p.advance("", true)
	left := p.nud(t, id)
	for rbp < p.lbp() {
		t = p.cur
		id = p.id
		p.advance("", false)
		left = p.led(t, id, left)
	}
	return left
}

func (p *parser) nud(t *token, id string) *node {
	n := &node{pos: t.pos, op: t.str}
	switch id {
	case "(end)":
		n.typ, n.op = nRawOperator, "(end)"
		return n
	case "(name)":
		n.typ = nName
		if t.kind == tokVariable {
			n.typ = nVariable
		}
		return n
	case "(literal)":
		switch t.kind {
		case tokString:
			n.typ = nString
		case tokNumber:
			n.typ, n.num = nNumber, t.num
		default:
			n.typ, n.val = nValue, t.val
		}
		return n
	case "(regex)":
		return p.regexNode(t)
	case "and", "or", "in":
		n.typ = nRawOperator
		return n
	case "-":
		n.typ, n.lhs = nUnaryMinus, p.expression(70)
		return n
	case "*":
		n.typ = nWildcard
		return n
	case "**":
		n.typ = nDescendant
		return n
	case "%":
		n.typ = nParent
		return n
	case "(":
		return p.block(n)
	case "[":
		return p.arrayConstructor(n)
	case "{":
		n.typ, n.pairs = nObject, p.objectPairs()
		return n
	case "|":
		return p.transform(n)
	}
	p.throw(newErr("S0211", t.pos).withToken(p.symbolValue(t)))
	return nil
}

func (p *parser) symbolValue(t *token) string {
	if t.kind == tokEnd {
		return "(end)"
	}
	return t.str
}

func (p *parser) regexNode(t *token) *node {
	re, err := compileJSRegex(t.str, t.re)
	if err != nil {
		p.throw(newErr("S0303", t.pos).withToken(t.str).withMessage(err.Error()))
	}
	return &node{typ: nRegex, pos: t.pos, re: re, reSrc: t.str, reFlags: t.re}
}

func (p *parser) block(n *node) *node {
	n.typ = nBlock
	for p.id != ")" {
		n.exprs = append(n.exprs, p.expression(0))
		if p.id != ";" {
			break
		}
		p.advance(";", false)
	}
	p.advance(")", true)
	return n
}

func (p *parser) arrayConstructor(n *node) *node {
	n.typ = nArray
	for more := p.id != "]"; more; more = p.comma() {
		item := p.expression(0)
		if p.id == ".." {
			r := &node{typ: nRawBinary, op: "..", pos: p.cur.pos, lhs: item}
			p.advance("..", false)
			r.rhs = p.expression(0)
			item = r
		}
		n.exprs = append(n.exprs, item)
	}
	p.advance("]", true)
	return n
}

func (p *parser) objectPairs() [][2]*node {
	var pairs [][2]*node
	for more := p.id != "}"; more; more = p.comma() {
		k := p.expression(0)
		p.advance(":", false)
		v := p.expression(0)
		pairs = append(pairs, [2]*node{k, v})
	}
	p.advance("}", true)
	return pairs
}

// comma reads the comma between two items of a list (an array, object,
// call or order-by clause) and reports whether there was one.
func (p *parser) comma() bool {
	if p.id != "," {
		return false
	}
	p.advance(",", false)
	return true
}

func (p *parser) transform(n *node) *node {
	n.typ = nTransform
	n.pattern = p.expression(0)
	p.advance("|", false)
	n.update = p.expression(0)
	if p.id == "," {
		p.advance(",", false)
		n.del = p.expression(0)
	}
	p.advance("|", false)
	return n
}

func (p *parser) led(t *token, id string, left *node) *node {
	n := &node{pos: t.pos, op: id}
	switch id {
	case "(":
		return p.call(n, left)
	case "[":
		return p.filter(n, left)
	case "^":
		return p.orderBy(n, left)
	case "{":
		n.typ, n.lhs, n.pairs = nRawBinary, left, p.objectPairs()
		return n
	case ":=":
		if left.typ != nVariable {
			p.throw(newErr("S0212", left.pos).withToken(left.op))
		}
		n.typ, n.lhs, n.rhs = nRawBinary, left, p.expression(operators[":="]-1)
		return n
	case "@", "#":
		n.typ, n.lhs, n.rhs = nRawBinary, left, p.expression(operators[id])
		if n.rhs.typ != nVariable {
			p.throw(newErr("S0214", n.rhs.pos).withToken(id))
		}
		return n
	case "?":
		n.typ, n.cond, n.then = nCondition, left, p.expression(0)
		if p.id == ":" {
			p.advance(":", false)
			n.els = p.expression(0)
		}
		return n
	}
	n.typ, n.lhs, n.rhs = nRawBinary, left, p.expression(operators[id])
	return n
}

func (p *parser) call(n *node, left *node) *node {
	n.typ, n.proc = nFunction, left
	for more := p.id != ")"; more; more = p.comma() {
		if p.cur.kind == tokOperator && p.id == "?" {
			n.typ = nPartial
			n.exprs = append(n.exprs, &node{typ: nPlaceholder, pos: p.cur.pos, op: "?"})
			p.advance("?", false)
		} else {
			n.exprs = append(n.exprs, p.expression(0))
		}
	}
	p.advance(")", true)
	if left.typ == nName && (left.op == "function" || left.op == "λ") {
		return p.lambda(n)
	}
	return n
}

func (p *parser) lambda(n *node) *node {
	for i, a := range n.exprs {
		if a.typ != nVariable {
			e := newErr("S0208", a.pos).withToken(a.op).withValue(float64(i + 1))
			p.throw(e)
		}
		n.params = append(n.params, a.op)
	}
	n.typ, n.exprs = nLambda, nil
	if p.id == "<" {
		sigPos := p.cur.pos
		depth := 1
		sig := "<"
		for depth > 0 && p.id != "{" && p.id != "(end)" {
			p.advance("", false)
			if p.id == ">" {
				depth--
			} else if p.id == "<" {
				depth++
			}
			sig += p.tokenValue()
		}
		p.advance(">", false)
		s, err := parseSignature(sig)
		if err != nil {
			err.Position = sigPos + err.Index
			err.Index = 0
			p.throw(err)
		}
		n.sig = s
	}
	p.advance("{", false)
	n.body = p.expression(0)
	p.advance("}", false)
	return n
}

func (p *parser) filter(n *node, left *node) *node {
	if p.id == "]" {
		step := left
		for step != nil && step.typ == nRawBinary && step.op == "[" {
			step = step.lhs
		}
		step.keepArray = true
		p.advance("]", false)
		return left
	}
	n.typ, n.lhs, n.rhs = nRawBinary, left, p.expression(operators["]"])
	p.advance("]", true)
	return n
}

func (p *parser) orderBy(n *node, left *node) *node {
	p.advance("(", false)
	for more := true; more; more = p.comma() {
		term := sortTerm{}
		if p.id == "<" {
			p.advance("<", false)
		} else if p.id == ">" {
			term.descending = true
			p.advance(">", false)
		}
		term.expr = p.expression(0)
		n.terms = append(n.terms, term)
	}
	p.advance(")", false)
	n.typ, n.lhs = nRawBinary, left
	return n
}

// typeName is jsonata-js's type string for a node, used in S0217 tokens.
func typeName(n *node) string {
	switch n.typ {
	case nPath:
		return "path"
	case nParent:
		return "parent"
	case nBinary, nRawBinary:
		return "binary"
	case nFunction:
		return "function"
	case nVariable:
		return "variable"
	case nString:
		return "string"
	case nNumber:
		return "number"
	case nValue:
		return "value"
	case nCondition:
		return "condition"
	case nArray, nObject, nUnaryMinus:
		return "unary"
	case nLambda:
		return "lambda"
	case nBlock:
		return "block"
	}
	return "expression"
}
