package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// Case is one recorded execution.
type Case struct {
	Name       string          `json:"name"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   struct {
		Status        string          `json:"status"`
		Output        json.RawMessage `json:"output"`
		OutputPartial bool            `json:"output_partial"`
		Error         *string         `json:"error"`
		Cause         *Text           `json:"cause"`
		CauseIsJSON   bool            `json:"cause_is_json"`
		Events        []string        `json:"events"`
	} `json:"expected"`
	// Masked holds recorded values with snapshot placeholders, decoded.
	Masked map[string]any `json:"masked"`

	// The Task corpus (conformance-tasks) adds the kind of a case
	// (execution or test_state), the Step Functions Local mock config that
	// answers its Tasks and the test case to run; MockFromHistory, when
	// set, is a mock config derived from the recorded history, which
	// reproduces the recording exactly (test case "recorded").
	Kind            string          `json:"kind"`
	MockConfig      json.RawMessage `json:"mock_config"`
	MockFromHistory json.RawMessage `json:"mock_config_from_history"`
	TestCase        string          `json:"test_case"`
	EventsMayVary   bool            `json:"events_order_may_vary"`
	Notes           string          `json:"notes"`
}

// Text is a string field of a case that may also hold a JSON value: the
// Task corpus stores a cause that AWS gave as JSON text parsed
// (cause_is_json). A value is kept as its compact JSON text.
type Text string

// UnmarshalJSON reads a string as it is and any other value as its JSON.
func (t *Text) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return err
	}
	*t = Text(buf.String())
	return nil
}

// Dir returns the corpus folder: $YAFDP_CONFORMANCE_DIR, or shared/conformance
// beside the repository root. When it is missing the test fails under CI
// (CI=true) and is skipped elsewhere, with a message saying where it looked.
func Dir(t testing.TB) string {
	t.Helper()
	return SharedDir(t, "conformance", os.Getenv("YAFDP_CONFORMANCE_DIR"))
}

// SharedDir returns the corpus folder name beside the repository root
// (shared/name), or dir when it is set, with Dir's rule when it is missing.
func SharedDir(t testing.TB, name, dir string) string {
	t.Helper()
	return shared(t, name, dir, "cases")
}

// PeerExample returns AWS's example of offline testing with a mock config
// (shared/peer-examples/sfn-local-mock-config), with Dir's rule when it is
// missing.
func PeerExample(t testing.TB) string {
	t.Helper()
	return shared(t, filepath.Join("peer-examples", "sfn-local-mock-config"), "", "makefile")
}

// shared finds shared/name (or dir), which must hold probe.
func shared(t testing.TB, name, dir, probe string) string {
	t.Helper()
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "..", "shared", name)
	}
	if _, err := os.Stat(filepath.Join(dir, probe)); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the yardstick %s is missing at %s (CI=true): %v", name, dir, err)
		}
		t.Skipf("the yardstick %s is not at %s; its tests need it beside the repository", name, dir)
	}
	return dir
}

// Root returns the repository's root (the folder holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// moduleRoot walks up from the working directory (a package folder under
// go test) to the folder holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("corpus: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Load reads every case, sorted by name.
func Load(t testing.TB) []Case {
	t.Helper()
	return LoadDir(t, Dir(t))
}

// LoadDir reads every case of the corpus in dir, sorted by name.
func LoadDir(t testing.TB, dir string) []Case {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in the corpus: %v", err)
	}
	sort.Strings(files)
	cases := make([]Case, 0, len(files))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c Case
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cases = append(cases, c)
	}
	return cases
}

// Decode decodes a raw JSON field of a case into a value (nil when empty).
func Decode(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	v, err := value.Decode(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// JudgedWrong reads a list of cases a package deliberately does not match:
// one "case-name: reason" per line, # for comments. A missing file is an
// empty list.
func JudgedWrong(t testing.TB, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("%s: %q: want \"case-name: reason\"", path, line)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Subset reports whether want is a recursive subset of got: every key of
// every object in want is in got with a matching value; arrays and scalars
// are compared whole (numbers by value).
func Subset(want, got any) bool { return matchTree(want, got, false, value.Equal) }

// matchTree compares want with got object by object and array by array:
// got's objects have every key of want's (and no other when exact), its
// arrays as many elements; leaf compares the rest.
func matchTree(want, got any, exact bool, leaf func(want, got any) bool) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || exact && len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			if gv, ok := g[k]; !ok || !matchTree(wv, gv, exact, leaf) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matchTree(w[i], g[i], exact, leaf) {
				return false
			}
		}
		return true
	}
	return leaf(want, got)
}

// placeholder matches the snapshot placeholders LocalStack put into recorded
// values: <ArnPart_0idx>, <json-input:1>, <region>, and the masked account id.
var placeholder = regexp.MustCompile(`<[A-Za-z0-9_:\-]+>|111111111111`)

// wholeValuePlaceholders replace a whole recorded value.
var wholeValuePlaceholders = map[string]bool{
	"date": true, "start-time": true, "start-date": true, "entered-time": true, "snf_role_arn": true, "RandomNumberGenerated": true,
}

// MatchMasked compares a value with a masked recording of it: placeholders
// match anything of the right shape (RandomNumberGenerated a number, <...>
// any text, the masked account id twelve digits), everything else must be
// equal.
func MatchMasked(want, got any) bool { return matchTree(want, got, true, matchMaskedLeaf) }

func matchMaskedLeaf(want, got any) bool {
	if w, ok := want.(string); ok {
		if w == "RandomNumberGenerated" {
			return value.IsNumber(got)
		}
		if wholeValuePlaceholders[w] {
			return got != nil
		}
		g, ok := got.(string)
		return ok && MatchMaskedString(w, g)
	}
	return value.Equal(want, got)
}

// MatchMaskedString compares a string with a recorded one whose
// placeholders match anything.
func MatchMaskedString(pattern, s string) bool {
	if !placeholder.MatchString(pattern) {
		return pattern == s
	}
	var re strings.Builder
	re.WriteString(`^(?s)`)
	last := 0
	for _, loc := range placeholder.FindAllStringIndex(pattern, -1) {
		re.WriteString(regexp.QuoteMeta(pattern[last:loc[0]]))
		if pattern[loc[0]] == '<' {
			re.WriteString(`.+?`)
		} else {
			re.WriteString(`[0-9]{12}`)
		}
		last = loc[1]
	}
	re.WriteString(regexp.QuoteMeta(pattern[last:]))
	re.WriteString(`$`)
	return regexp.MustCompile(re.String()).MatchString(s)
}
