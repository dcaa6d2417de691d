// Package completion is `yafdp completion`: the shell completion scripts
// cobra generates for bash, zsh, fish and PowerShell. It works without a
// config file.
package completion
