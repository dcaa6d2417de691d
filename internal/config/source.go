package config

import (
	"encoding/json"
	"fmt"
)

// SourceKind says which layer a setting's value came from.
type SourceKind string

// The layers, from highest precedence to lowest.
const (
	FromFlag    SourceKind = "flag"
	FromEnv     SourceKind = "env"
	FromFile    SourceKind = "file"
	FromDefault SourceKind = "default"
)

// Source is where a setting's effective value came from.
type Source struct {
	Kind SourceKind
	// Name is the flag (as the command line names it: --region), the
	// environment variable (YAFDP_REGION) or the config file path.
	Name string
	// Key is the dotted key inside the config file
	// (environments.prod.region), for file values.
	Key string
}

// String describes the source for people: the flag as the command line
// names it, "YAFDP_REGION",
// "/home/me/.config/yafdp/config.yaml: environments.prod.region", "default".
func (s Source) String() string {
	switch s.Kind {
	case FromFlag, FromEnv:
		return s.Name
	case FromFile:
		if s.Key != "" {
			return fmt.Sprintf("%s: %s", s.Name, s.Key)
		}
		return s.Name
	default:
		return "default"
	}
}

// MarshalJSON writes a source as {"kind": "...", "name": "...", "key": "..."}.
func (s Source) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind SourceKind `json:"kind"`
		Name string     `json:"name,omitempty"`
		Key  string     `json:"key,omitempty"`
	}{s.Kind, s.Name, s.Key})
}
