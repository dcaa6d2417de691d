// Package journal keeps the step-by-step record of a run that must resume
// after being killed (dlq redrive, saga redrive): an append-only file of
// JSON records, one a line, each step flushed to disk before the next is
// taken. A torn last line (the process died writing it) is dropped when the
// file is read back: the step it describes was not taken.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/yafdp/yafdp/internal/input"
)

// File is an open journal.
type File struct {
	f    *os.File
	path string
}

// Open opens the journal at path, creating it and its directory when
// missing. It refuses what is not a regular file.
func Open(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		f.Close()
		return nil, input.Errorf("journal", "%s is not a regular file", path).WithFix("pass a file path to %s", input.Field("journal"))
	}
	return &File{f: f, path: path}, nil
}

// Path is the journal's file name.
func (j *File) Path() string { return j.path }

// Replay hands each whole line to each, numbered from 1, reading one line
// at a time so that a wrong path cannot fill memory: a line longer than
// maxLine is an error. It then cuts a torn last line off and leaves the
// file ready to append.
func (j *File) Replay(maxLine int, each func(line int, data []byte) error) error {
	br := bufio.NewReaderSize(j.f, 64<<10)
	var kept int64 // bytes of whole lines read
	for n := 1; ; n++ {
		var line []byte
		for {
			part, err := br.ReadSlice('\n')
			line = append(line, part...)
			if len(line) > maxLine {
				return input.Errorf("journal", "%s has a line longer than %s; it is not a journal", j.path, input.Size(int64(maxLine))).
					WithFix("pass another %s file", input.Field("journal"))
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				return j.cut(kept) // a torn last line, or none
			}
			if err != nil {
				return fmt.Errorf("journal %s: %w", j.path, err)
			}
			break
		}
		kept += int64(len(line))
		if err := each(n, line); err != nil {
			return err
		}
	}
}

// cut drops what follows the last whole line and moves to the end.
func (j *File) cut(kept int64) error {
	if err := j.f.Truncate(kept); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if _, err := j.f.Seek(kept, io.SeekStart); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// Append writes records, each encoded as one JSON line, in one write, and
// flushes them to disk (fsync) when sync.
func (j *File) Append(sync bool, records ...any) error {
	var buf bytes.Buffer
	for _, r := range records {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if _, err := j.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if sync {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
	}
	return nil
}

// Close closes the file.
func (j *File) Close() error { return j.f.Close() }
