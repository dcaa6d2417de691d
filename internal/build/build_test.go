package build

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name                string
		info                debug.BuildInfo
		in                  [3]string
		wantV, wantC, wantD string
	}{
		{
			name:  "devel build without VCS keeps defaults",
			info:  debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			in:    [3]string{"dev", "none", "unknown"},
			wantV: "dev", wantC: "none", wantD: "unknown",
		},
		{
			name:  "go install module@version",
			info:  debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			in:    [3]string{"dev", "none", "unknown"},
			wantV: "v1.2.3", wantC: "none", wantD: "unknown",
		},
		{
			name: "checkout with local changes",
			info: debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "abc123"},
				{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
				{Key: "vcs.modified", Value: "true"},
			}},
			in:    [3]string{"dev", "none", "unknown"},
			wantV: "dev", wantC: "abc123-dirty", wantD: "2025-01-02T03:04:05Z",
		},
		{
			name: "values set by ldflags win",
			info: debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "abc123"},
				{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
			}},
			in:    [3]string{"dev", "fixed", "2024-12-31"},
			wantV: "v9.9.9", wantC: "fixed", wantD: "2024-12-31",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, c, d := fromBuildInfo(&tt.info, tt.in[0], tt.in[1], tt.in[2])
			if v != tt.wantV || c != tt.wantC || d != tt.wantD {
				t.Errorf("fromBuildInfo() = %q, %q, %q; want %q, %q, %q", v, c, d, tt.wantV, tt.wantC, tt.wantD)
			}
		})
	}
}

func TestCurrent(t *testing.T) {
	info := Current()
	if info.Version == "" || info.GoVersion == "" || info.OS == "" || info.Arch == "" {
		t.Errorf("Current() has empty fields: %+v", info)
	}
}
