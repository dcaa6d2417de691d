package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	yconfig "github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/ui"
)

// NewCmd returns the config command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewNoun("config <command>", "Write, locate and show yafdp's configuration",
		cmdutil.Heredoc(`
			Write, locate and show yafdp's configuration.

			Settings come from flags, then YAFDP_* environment variables, then the
			config file (the selected environment's section above the top-level keys),
			then defaults. The file is $XDG_CONFIG_HOME/yafdp/config.yaml
			(~/.config/yafdp/config.yaml) unless --config or YAFDP_CONFIG says otherwise.
		`),
		cmdutil.Examples(`
			$ yafdp config init
			$ yafdp config show --env staging
			$ yafdp config path
		`),
		NewCmdInit(f, nil),
		NewCmdShow(f, nil),
		NewCmdPath(f, nil),
	)
}

// InitOptions are the inputs of `yafdp config init`.
type InitOptions struct {
	cmdutil.Deps
	Path  func() (string, yconfig.Source)
	Force bool
}

// NewCmdInit returns `yafdp config init`.
func NewCmdInit(f *cmdutil.Factory, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{Deps: f.Deps(), Path: f.ConfigPath}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented config file with named environments",
		Long: cmdutil.Heredoc(`
			Write a commented config file with every setting and three named
			environments (local, staging, prod) to fill in, at the path 'config path'
			shows. An existing file is left alone unless --force is given.
		`),
		Example: cmdutil.Examples(`
			$ yafdp config init
			$ yafdp --config ./yafdp.yaml config init --force
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, nil, runF, runInit),
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "Overwrite an existing config file")
	// A broken config file must not stop its own replacement.
	cmdutil.DisableConfig(cmd)
	return cmd
}

func runInit(_ context.Context, o *InitOptions) error {
	path, _, err := location(o.Path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil && !o.Force {
		return cmdutil.UsageErrorf("%s already exists; keep it, or run again with --force to overwrite it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return cmdutil.UsageErrorf("%v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(template), 0o644); err != nil {
		return err
	}
	s := ui.NewStyles(o.IO.ErrColorEnabled())
	fmt.Fprintf(o.IO.ErrOut, "%s wrote %s; edit its environments, then check with 'yafdp config show'\n", s.SuccessIcon(), path)
	return nil
}

// ShowOptions are the inputs of `yafdp config show`.
type ShowOptions struct {
	cmdutil.Deps
}

// NewCmdShow returns `yafdp config show`.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Deps: f.Deps()}
	return &cobra.Command{
		Use:   "show",
		Short: "Show the effective settings and where each comes from",
		Long: cmdutil.Heredoc(`
			Show every setting in effect for this invocation (global flags and --env
			included) and where its value came from: a flag, an environment variable,
			the config file (with the key), or the default.
		`),
		Example: cmdutil.Examples(`
			$ yafdp config show
			$ yafdp --env prod config show --output json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, nil, runF, runShow),
	}
}

type shownSetting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	From   string `json:"from"`
}

func runShow(_ context.Context, o *ShowOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	p, err := o.Printer()
	if err != nil {
		return err
	}
	list := output.NewList(p,
		output.Column[shownSetting]{Header: "Setting", Value: func(s shownSetting) string { return s.Key }},
		output.Column[shownSetting]{Header: "Value", Value: func(s shownSetting) string {
			if s.Value == "" {
				return "-"
			}
			return s.Value
		}},
		output.Column[shownSetting]{Header: "From", Value: func(s shownSetting) string { return s.From },
			Tone: func(shownSetting) ui.Tone { return ui.ToneMuted }},
	)
	for _, st := range cfg.Settings() {
		if err := list.Add(shownSetting{Key: st.Key, Value: st.Value, Source: string(st.Source.Kind), From: st.Source.String()}); err != nil {
			return err
		}
	}
	return list.Close()
}

// PathOptions are the inputs of `yafdp config path`.
type PathOptions struct {
	cmdutil.Deps
	Path func() (string, yconfig.Source)
}

// NewCmdPath returns `yafdp config path`.
func NewCmdPath(f *cmdutil.Factory, runF func(context.Context, *PathOptions) error) *cobra.Command {
	opts := &PathOptions{Deps: f.Deps(), Path: f.ConfigPath}
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Print the config file's path",
		Long: cmdutil.Heredoc(`
			Print the path of the config file this invocation reads (from --config,
			YAFDP_CONFIG or the default location); standard error says why that one
			and whether it exists.
		`),
		Example: cmdutil.Examples(`
			$ yafdp config path
			$ $EDITOR "$(yafdp config path)"
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, nil, runF, runPath),
	}
	cmdutil.DisableConfig(cmd)
	return cmd
}

func runPath(_ context.Context, o *PathOptions) error {
	path, src, err := location(o.Path)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.IO.Out, path)
	state := "exists"
	if _, err := os.Stat(path); err != nil {
		state = "does not exist yet (yafdp config init writes it)"
	}
	why := "the default location"
	if src.Kind != yconfig.FromDefault {
		why = "from " + src.Name
	}
	_, err = io.WriteString(o.IO.ErrOut, fmt.Sprintf("%s; %s\n", why, state))
	return err
}

// location is the config file's path and why that one; with no home
// directory there may be none.
func location(path func() (string, yconfig.Source)) (string, yconfig.Source, error) {
	p, src := path()
	if p == "" {
		return "", src, cmdutil.UsageErrorf("no config location: set --config FILE, YAFDP_CONFIG or HOME")
	}
	return p, src, nil
}
