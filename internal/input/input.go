package input

import (
	"errors"
	"fmt"
	"strconv"
)

// Field names a field of an input, in the domain's words.
type Field string

// Message is text that may name fields: each Field among its arguments
// (and in Message arguments) is shown as its name, or, by Render, as its
// reader knows it.
type Message struct {
	format string
	args   []any
}

// Msg returns a message formatted as fmt.Sprintf does, Field arguments
// included.
func Msg(format string, args ...any) Message { return Message{format: format, args: args} }

// IsZero reports an empty message.
func (m Message) IsZero() bool { return m.format == "" }

// String renders the message with each field by its name.
func (m Message) String() string { return m.Render(nil) }

// Render renders the message with each field as name gives it (by its
// name when name is nil or gives "").
func (m Message) Render(name func(Field) string) string {
	args := make([]any, len(m.args))
	for i, a := range m.args {
		switch a := a.(type) {
		case Field:
			args[i] = nameOf(a, name)
		case Message:
			args[i] = a.Render(name)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(m.format, args...)
}

// MarshalText writes the message as String does.
func (m Message) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func nameOf(f Field, name func(Field) string) string {
	if name != nil {
		if s := name(f); s != "" {
			return s
		}
	}
	return string(f)
}

// Error is bad input: nothing was changed because of it.
type Error struct {
	// File is the file the input was read from, if any; Line its line
	// there (or in the input read), from 1, when known.
	File string
	Line int
	// Field is the field at fault; empty when the input as a whole is.
	Field Field
	// Problem says what is wrong.
	Problem Message
	// Fix says how to put it right; empty when the problem says it.
	Fix Message
}

// Errorf returns the error that field has the problem format describes.
func Errorf(field Field, format string, args ...any) *Error {
	return &Error{Field: field, Problem: Msg(format, args...)}
}

// WithFix sets the fix and returns e.
func (e *Error) WithFix(format string, args ...any) *Error {
	e.Fix = Msg(format, args...)
	return e
}

// At sets where the input was read and returns e.
func (e *Error) At(file string, line int) *Error {
	e.File, e.Line = file, line
	return e
}

// Error renders "[file:line: ]field: problem[; fix]" with fields by name.
func (e *Error) Error() string { return e.Render(nil) }

// Render renders the error with fields as name gives them. A field of a
// file is named as in the file: the reader wrote it there.
func (e *Error) Render(name func(Field) string) string {
	if e.File != "" {
		name = nil
	}
	s := ""
	switch {
	case e.File != "" && e.Line > 0:
		s = e.File + ":" + strconv.Itoa(e.Line) + ": "
	case e.File != "":
		s = e.File + ": "
	case e.Line > 0:
		s = "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Field != "" {
		s += nameOf(e.Field, name) + ": "
	}
	s += e.Problem.Render(name)
	if !e.Fix.IsZero() {
		s += "; " + e.Fix.Render(name)
	}
	return s
}

// Message returns what Error says, from the field on, as a message that
// still names its fields: for a report that lists problems.
func (e *Error) Message() Message {
	m := e.Problem
	if e.Field != "" {
		m = Msg("%s: %s", e.Field, m)
	}
	if !e.Fix.IsZero() {
		m = Msg("%s; %s", m, e.Fix)
	}
	return m
}

// MessageOf is err as a message: its *input.Error's, with fields, or its
// text.
func MessageOf(err error) Message {
	if e, ok := err.(*Error); ok {
		return e.Message()
	}
	return Msg("%s", err.Error())
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
