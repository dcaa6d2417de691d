package cmdutil

import (
	"errors"
	"fmt"
	"testing"

	"github.com/yafdp/yafdp/internal/input"
)

func TestFlagOf(t *testing.T) {
	for field, want := range map[input.Field]string{
		"queue": "--queue", "target": "--to", "region": "--region", "endpoint_url": "--endpoint-url",
		"items[1].qty": "--item (items[1].qty)", "totalCents": "--item (totalCents)", "deliveryAddress.city": "--city",
		"lambda.batch_size": "--batch-size", "lambda.memory_mb": "lambda.memory_mb", "execution": "execution", "faults[0]": "faults[0]",
	} {
		if got := FlagOf(field); got != want {
			t.Errorf("FlagOf(%q) = %q, want %q", field, got, want)
		}
	}
}

func TestInputErrorsNameFlags(t *testing.T) {
	err := fmt.Errorf("order 3 (ord_1): %w", input.Errorf("strategy", "cannot do %s", input.Field("filter")).WithFix("use %s copy", input.Field("strategy")))
	got := InputError(err)
	var ue *UsageError
	if !errors.As(got, &ue) || ue.ShowHelpHint || got.Error() != "order 3 (ord_1): --strategy: cannot do --filter; use --strategy copy" {
		t.Errorf("InputError() = %#v (%v)", got, got)
	}
	if got := FlagError(input.Errorf("max", "must be 0 or more")); !errors.As(got, &ue) || !ue.ShowHelpHint || got.Error() != "--max: must be 0 or more" {
		t.Errorf("FlagError() = %#v (%v)", got, got)
	}
	other := errors.New("boom")
	if InputError(other) != other {
		t.Error("InputError changed an error that is not bad input")
	}
}
