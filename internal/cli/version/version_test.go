package version

import (
	"context"
	"errors"
	"testing"

	"github.com/yafdp/yafdp/internal/build"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/cli/output"
)

var fixedBuild = build.Info{
	Version:   "1.2.3",
	Commit:    "0123456789abcdef0123456789abcdef01234567",
	Date:      "2025-01-02T03:04:05Z",
	GoVersion: "go1.26.8",
	OS:        "linux",
	Arch:      "amd64",
}

func TestNewCmdVersion(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{name: "no arguments", args: nil},
		{name: "an argument", args: []string{"now"}, wantErr: true},
		{name: "unknown flag", args: []string{"--short"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory(nil)
			var got *Options
			cmd := NewCmdVersion(f, func(_ context.Context, opts *Options) error {
				got = opts
				return nil
			})
			err := clitest.Exec(cmd, tt.args...)
			if tt.wantErr {
				var ue *cmdutil.UsageError
				if !errors.As(err, &ue) {
					t.Fatalf("error = %v, want a usage error", err)
				}
				if got != nil {
					t.Error("run function was called despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("run function was not called")
			}
			if got.Build != build.Current() {
				t.Errorf("Build = %+v, want the current build", got.Build)
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	for _, format := range output.Formats {
		t.Run(string(format), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			opts := &Options{
				Printer: func() (*output.Printer, error) { return output.New(ios, format), nil },
				Build:   fixedBuild,
			}
			if err := runVersion(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", errOut)
			}
			clitest.Golden(t, "version."+string(format)+".golden", out.Bytes())
		})
	}
}
