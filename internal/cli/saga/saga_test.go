package saga

import (
	"errors"
	"testing"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

func TestNewCmd(t *testing.T) {
	f, _ := clitest.NewFactory(nil)
	if err := clitest.Exec(NewCmd(f)); err != nil {
		t.Errorf("saga without a verb shows help, got error %v", err)
	}

	err := clitest.Exec(NewCmd(f), "bogus")
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("unknown verb: error = %v, want a usage error", err)
	}
}
