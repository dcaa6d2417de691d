// Package config is `yafdp config`: it writes a commented config file
// (init, from template.go, which documents the flags), says which file is
// read and why (path), and shows every effective setting with its source
// (show). Loading the configuration is internal/config's.
package config
