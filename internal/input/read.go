package input

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Limit is the most an input of one kind may hold, and what that kind is,
// for the error past it.
type Limit struct {
	// Bytes is the size limit.
	Bytes int64
	// What names what the input holds and why the limit is what it is,
	// as in "the most Step Functions accepts for a definition".
	What string
}

// Limits of the files yafdp reads whole. Each is what the input can hold
// where it ends up (AWS's own limit where there is one), so that a wrong
// path (/dev/zero, a log file) fails at once instead of filling memory.
var (
	// LimitASL: Step Functions rejects a definition over 1 MiB.
	LimitASL = Limit{Bytes: 1 << 20, What: "the most Step Functions accepts for a state machine definition"}
	// LimitExecutionInput: an execution's input is a Step Functions payload.
	LimitExecutionInput = Limit{Bytes: 256 << 10, What: "the Step Functions payload limit for an execution's input"}
	// LimitScenario: a scenario is a short YAML file.
	LimitScenario = Limit{Bytes: 1 << 20, What: "the most a scenario file may hold"}
	// LimitConfig: the config file is a short YAML file.
	LimitConfig = Limit{Bytes: 1 << 20, What: "the most a config file may hold"}
)

// TooLargeError says that an input is larger than its limit.
type TooLargeError struct {
	// Name is the file (or "standard input").
	Name  string
	Limit Limit
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, %s", e.Name, Size(e.Limit.Bytes), e.Limit.What)
}

// Size renders a byte count for people: 1 MiB, 256 KiB, 1,000 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadAll reads r to its end, or fails with a *TooLargeError naming name
// as soon as it holds more than limit allows: it never reads more than one
// byte past the limit.
func ReadAll(r io.Reader, name string, limit Limit) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit.Bytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit.Bytes {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return data, nil
}

// ReadFile reads the file at path as ReadAll does. A file that cannot be
// opened is an error that names it without Go's "open" prefix.
func ReadFile(path string, limit Limit) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	data, err := ReadAll(f, path, limit)
	if err != nil {
		return nil, pathError(err)
	}
	return data, nil
}

// PathError is err with the operation dropped from an *os.PathError ("open
// x: no such file" reads "x: no such file"); other errors are as they are.
func PathError(err error) error { return pathError(err) }

// pathError drops the operation from an *os.PathError ("open x: no such
// file" reads "x: no such file").
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &fileError{path: pe.Path, err: pe.Err}
	}
	return err
}

type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
