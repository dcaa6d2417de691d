// Package output is the one output contract of every command: a command
// produces records (structs with json tags) and describes once how they look
// as table columns; the Printer, chosen by --output, renders them as a table
// for people, one indented JSON document, or JSON Lines for streaming.
//
// A command therefore has a single code path:
//
//	list := output.NewList(opts.Printer, executionColumns...)
//	for _, e := range executions {
//		if err := list.Add(e); err != nil {
//			return err
//		}
//	}
//	return list.Close()
//
// (PrintList does that for records that are all at hand.) A record whose
// human form is more than columns goes through PrintWith, PrintItem shows
// one record as label/value rows.
package output
