// Package input owns how the domain says that an input is wrong: one
// typed error that names the field at fault, what is wrong with it and
// the fix, in the domain's own words. A field is an order's JSON path
// (items[1].qty), a scenario key (lambda.batch_size) or an option of an
// operation (queue, strategy); a problem or a fix may name other fields
// too. The domain never names a flag: the command line shows each field as
// the flag that sets it, and exits 2.
//
// It also reads the files a user names with a limit fitting what they hold
// (ReadFile, Limit), so that a wrong path such as /dev/zero is an error at
// once rather than a process that fills memory.
//
// It imports nothing but the standard library.
package input
