package build

import (
	"runtime"
	"runtime/debug"
)

// Version, Commit and Date are set with -ldflags "-X ...". A plain `go build`
// or `go install` leaves Version at "dev", in which case init fills the three
// from the module and VCS information the Go toolchain embeds.
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)

func init() {
	if Version != "dev" {
		return
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		Version, Commit, Date = fromBuildInfo(info, Version, Commit, Date)
	}
}

// fromBuildInfo fills the values still at their defaults from what the
// toolchain recorded: the module version for `go install module@version`,
// and the revision and commit time for a build inside a VCS checkout.
func fromBuildInfo(info *debug.BuildInfo, version, commit, date string) (string, string, string) {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		version = v
	}
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if commit == "none" && s.Value != "" {
				commit = s.Value
			}
		case "vcs.time":
			if date == "unknown" && s.Value != "" {
				date = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && commit != "none" {
		commit += "-dirty"
	}
	return version, commit, date
}

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Current returns the build information of the running binary.
func Current() Info {
	return Info{
		Version:   Version,
		Commit:    Commit,
		Date:      Date,
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
	}
}
