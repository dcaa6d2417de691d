package input

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorRendersFieldsByNameOrFlag(t *testing.T) {
	flags := func(f Field) string {
		return map[Field]string{"strategy": "--strategy", "filter": "--filter", "queue": "--queue"}[f]
	}
	e := Errorf("strategy", "native cannot do %s", Field("filter")).WithFix("use %s copy or auto", Field("strategy"))
	if got, want := e.Error(), "strategy: native cannot do filter; use strategy copy or auto"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := e.Render(flags), "--strategy: native cannot do --filter; use --strategy copy or auto"; got != want {
		t.Errorf("Render() = %q, want %q", got, want)
	}
	// A field the reader has no name for keeps its own.
	if got, want := Errorf("items[0].qty", "must be >= %d", 1).Render(flags), "items[0].qty: must be >= 1"; got != want {
		t.Errorf("Render() = %q, want %q", got, want)
	}
	// User text that looks like a field is never taken for one.
	if got, want := Errorf("queue", "%q is not a queue name", "{queue}").Render(flags), `--queue: "{queue}" is not a queue name`; got != want {
		t.Errorf("Render() = %q, want %q", got, want)
	}
}

func TestErrorsInFilesKeepTheirKeys(t *testing.T) {
	flags := func(Field) string { return "--flag" }
	e := Errorf("lambda.batch_size", "must be between 1 and 10,000").At("s.yaml", 5)
	if got, want := e.Render(flags), "s.yaml:5: lambda.batch_size: must be between 1 and 10,000"; got != want {
		t.Errorf("Render() = %q, want %q", got, want)
	}
	e = (&Error{Problem: Msg("the file is empty")}).WithFix("see %s", "x.yaml").At("s.yaml", 0)
	if got, want := e.Error(), "s.yaml: the file is empty; see x.yaml"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = Errorf("items[0].qty", "must be >= 1").At("", 2)
	if got, want := e.Error(), "line 2: items[0].qty: must be >= 1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAs(t *testing.T) {
	e := Errorf("queue", "missing")
	if got, ok := As(fmt.Errorf("wrapped: %w", e)); !ok || got != e {
		t.Fatal("As does not find a wrapped *Error")
	}
	if _, ok := As(errors.New("other")); ok {
		t.Fatal("As found an *Error that is not there")
	}
	if b, _ := Msg("cannot do %s", Field("max")).MarshalText(); string(b) != "cannot do max" {
		t.Fatalf("MarshalText = %q", b)
	}
}

func TestMessagesNest(t *testing.T) {
	flags := func(f Field) string { return "--" + string(f) }
	e := Errorf("", "the message does not say which queue it came from").WithFix("rerun with %s", Field("to"))
	m := Msg("cannot move %s: %s", "m-1", MessageOf(e))
	if got, want := m.Render(flags), "cannot move m-1: the message does not say which queue it came from; rerun with --to"; got != want {
		t.Errorf("Render() = %q, want %q", got, want)
	}
	if got, want := MessageOf(errors.New("plain")).String(), "plain"; got != want {
		t.Errorf("MessageOf(plain) = %q", got)
	}
}
