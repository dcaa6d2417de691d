package jsonata

import "github.com/dlclark/regexp2/v2"

// nodeType is the kind of an AST node after post-processing.
type nodeType uint8

const (
	nPath nodeType = iota + 1
	nBinary
	nUnaryMinus
	nArray  // array constructor
	nObject // object constructor
	nName
	nString
	nNumber
	nValue // true, false, null
	nWildcard
	nDescendant
	nParent
	nCondition
	nBlock
	nBind
	nRegex
	nFunction
	nPartial
	nVariable
	nLambda
	nApply
	nTransform
	nSort
	nPlaceholder // the ? of a partial application
	// raw parse-only kinds, gone after post-processing
	nRawBinary
	nRawOperator
)

// node is an AST node. The parser fills the syntax fields; processAST turns
// '.', '[' and '{' chains into paths with steps, stages and groups, as
// jsonata-js does, so the evaluator walks the same shape.
type node struct {
	typ   nodeType
	op    string // operator, name, variable name, string literal
	num   float64
	val   any // literal value for nValue
	pos   int
	lhs   *node
	rhs   *node
	exprs []*node // block, array constructor items, function arguments
	pairs [][2]*node
	terms []sortTerm

	// function call / lambda
	proc   *node
	params []string
	sig    *signature
	body   *node
	thunk  bool

	// condition / transform
	cond, then, els *node
	pattern, update *node
	del             *node

	// regex
	re      *regexp2.Regexp
	reSrc   string
	reFlags string

	// path and step annotations
	steps              []*node
	stages             []*stage
	predicate          []*stage
	group              *groupSpec
	focus              string
	index              string
	tuple              bool
	keepArray          bool
	keepSingletonArray bool
	consarray          bool
	ancestor           *slot
	slot               *slot
	seekingParent      []*slot
	simple             bool // a path of plain names (see simplePath)
}

// stage is a filter predicate or an index (#$i) binding on a step.
type stage struct {
	filter *node  // predicate expression, nil for an index stage
	index  string // variable name for an index stage
	pos    int
}

// groupSpec is an object constructor applied to a path ({} grouping).
type groupSpec struct {
	pairs [][2]*node
	pos   int
}

type sortTerm struct {
	descending bool
	expr       *node
}

// slot is a parent-operator (%) reference resolved to a step label.
type slot struct {
	label string
	level int
	index int
}
