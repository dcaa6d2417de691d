// Command yafdp operates the YAFDP order pipeline on AWS.
package main

import (
	"os"

	"github.com/yafdp/yafdp/internal/cli"
)

func main() { os.Exit(cli.Main()) }
