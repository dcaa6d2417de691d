// Package cmdutil holds what every command shares, so that a verb file is
// its Options, its parsing, one domain call and its printing:
//
//   - the Factory, which hands out dependencies lazily (config, printer, AWS
//     configuration and clients), and Deps, the part a verb's Options embed;
//   - NewNoun and RunE, the one way to build a noun and a verb;
//   - the errors that decide the exit code (UsageError, ExitError,
//     ErrSilent, ErrInterrupted);
//   - fields.go, the one place that maps the fields domain packages name in
//     their input errors and notes to the flags that set them (InputError,
//     FlagError);
//   - the pflag adapters of domain values (RateFlag, LimitFlag), the
//     completions that ask AWS, and help-text helpers (Heredoc, Examples).
//
// Domain packages never import it.
package cmdutil
