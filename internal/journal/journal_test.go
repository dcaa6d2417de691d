package journal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplayDropsATornLastLineAndAppendsAfterTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "j.journal")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(true, map[string]int{"a": 1}, map[string]int{"b": 2}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"c":`) // killed mid-write
	f.Close()

	j, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := j.Replay(1<<10, func(n int, data []byte) error { lines = append(lines, string(data)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(lines, "") != "{\"a\":1}\n{\"b\":2}\n" {
		t.Fatalf("replayed %q", lines)
	}
	if err := j.Append(false, map[string]int{"d": 4}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if b, _ := os.ReadFile(path); string(b) != "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n" {
		t.Fatalf("file %q: the torn line must be gone and the new record after the whole ones", b)
	}
}

func TestReplayRefusesALongLineAndOpenADirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big")
	os.WriteFile(path, []byte(strings.Repeat("x", 200<<10)+"\n"), 0o600)
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	err = j.Replay(64<<10, func(int, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "longer than") || !strings.Contains(err.Error(), "not a journal") {
		t.Fatalf("a 200 KiB line: %v", err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("a directory opened as a journal")
	}
}
