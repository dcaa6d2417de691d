package iostreams

import "testing"

func TestColorEnabled(t *testing.T) {
	tests := []struct {
		name       string
		tty        bool
		noColorEnv bool
		disable    bool
		want       bool
	}{
		{name: "terminal", tty: true, want: true},
		{name: "piped", tty: false, want: false},
		{name: "NO_COLOR", tty: true, noColorEnv: true, want: false},
		{name: "--no-color", tty: true, disable: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetStdoutTTY(tt.tty)
			ios.SetStderrTTY(tt.tty)
			ios.SetNoColorEnv(tt.noColorEnv)
			if tt.disable {
				ios.DisableColor()
			}
			if got := ios.ColorEnabled(); got != tt.want {
				t.Errorf("ColorEnabled() = %v, want %v", got, tt.want)
			}
			if got := ios.ErrColorEnabled(); got != tt.want {
				t.Errorf("ErrColorEnabled() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestColorDisabledByEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if colorDisabledByEnv(getenv) {
		t.Error("empty environment disables colour")
	}
	env["NO_COLOR"] = "1"
	if !colorDisabledByEnv(getenv) {
		t.Error("NO_COLOR=1 does not disable colour")
	}
	env = map[string]string{"TERM": "dumb"}
	if !colorDisabledByEnv(getenv) {
		t.Error("TERM=dumb does not disable colour")
	}
}

func TestTestStreams(t *testing.T) {
	ios, _, out, errOut := Test()
	if ios.IsStdoutTTY() || ios.ColorEnabled() {
		t.Error("test streams claim to be a terminal")
	}
	if ios.TerminalWidth() != 80 {
		t.Errorf("TerminalWidth() = %d, want 80", ios.TerminalWidth())
	}
	_, _ = ios.Out.Write([]byte("data"))
	_, _ = ios.ErrOut.Write([]byte("status"))
	if out.String() != "data" || errOut.String() != "status" {
		t.Errorf("out = %q, errOut = %q", out, errOut)
	}
}
