package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

const skipConfigAnnotation = "yafdp.skipConfig"

// DisableConfig marks a command that must work without reading the config
// file, such as completion and help topics, so a broken config file cannot
// stop it.
func DisableConfig(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[skipConfigAnnotation] = "true"
}

// IsConfigDisabled reports whether cmd or one of its parents was marked
// with DisableConfig.
func IsConfigDisabled(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[skipConfigAnnotation] == "true" {
			return true
		}
	}
	return false
}

// NounArgs is the Args validator of a noun (a group of verbs such as saga):
// any argument is an unknown verb. Cobra only checks this for the root.
func NounArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := "unknown command " + quote(args[0]) + " for " + quote(cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		// cobra applies this default only on its own unknown-command path.
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 && !cmd.DisableSuggestions {
		msg += "; did you mean " + quote(s[0]) + "?"
	}
	return FlagErrorf("%s", msg)
}

// ShowHelp is the RunE of a noun: it prints the noun's help.
func ShowHelp(cmd *cobra.Command, _ []string) error {
	return cmd.Help()
}

// WrapArgsValidators makes the Args validator of every command under root
// return flag errors, so that "accepts 1 arg(s), received 0" exits with
// ExitUsage like any other usage mistake. Root calls it once all commands
// are added.
func WrapArgsValidators(root *cobra.Command) {
	if root.Args != nil {
		inner := root.Args
		root.Args = func(cmd *cobra.Command, args []string) error {
			return FlagErrorWrap(inner(cmd, args))
		}
	}
	for _, c := range root.Commands() {
		WrapArgsValidators(c)
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
