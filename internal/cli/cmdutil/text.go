package cmdutil

import "strings"

// Heredoc removes the common indentation of a raw string literal and its
// leading and trailing blank lines, so that help text can be indented with
// the code around it.
func Heredoc(s string) string {
	lines := strings.Split(s, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t "))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
			continue
		}
		lines[i] = l[indent:]
	}
	return strings.Join(lines, "\n")
}

// Examples is Heredoc for a command's Example field: it also indents every
// line by two spaces, as the help output expects. Write examples as
// "# what it does" followed by "$ yafdp ..." with long flag names.
func Examples(s string) string {
	lines := strings.Split(Heredoc(s), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n")
}
