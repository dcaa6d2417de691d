// Package corpus reads the ASL conformance corpus: executions recorded
// against real AWS Step Functions, kept next to the repository in
// ../shared/conformance (see its README.md) and never copied into it. The
// engine's packages test themselves against it; this package holds what
// they share: finding and loading the cases, the list of cases judged wrong,
// and comparing values with masked or partial recordings.
//
// Only tests import it. It imports nothing of yafdp but package value.
package corpus
