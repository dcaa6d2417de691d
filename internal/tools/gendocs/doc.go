// Command gendocs writes yafdp's Markdown command reference and man pages
// from the cobra command tree: go run ./internal/tools/gendocs DIR.
package main
