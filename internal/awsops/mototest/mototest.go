package mototest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// launcher runs moto's server with the deepcopy patch.
const launcher = `import copy, sys
from moto.stepfunctions.models import StateMachine
def _deepcopy(self, memo):
    new = self.__class__.__new__(self.__class__)
    memo[id(self)] = new
    for k, v in self.__dict__.items():
        setattr(new, k, v if k in ("backend", "executions") else copy.deepcopy(v, memo))
    return new
StateMachine.__deepcopy__ = _deepcopy
from moto.server import main
main(sys.argv[1:])
`

// Server is a running moto.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL string
}

// Available reports whether python3 can import moto, and why not.
func Available() (string, bool) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "python3 is not on PATH", false
	}
	out, err := exec.Command(py, "-c", "import moto; print(moto.__version__)").CombinedOutput()
	if err != nil {
		lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
		return "python3 cannot import moto (" + string(bytes.TrimSpace(lines[len(lines)-1])) + "); install it with pip install 'moto[server]==5.2.1'", false
	}
	return string(bytes.TrimSpace(out)), true
}

// Start starts moto for t. Skips (or, with CI=true, fails) when moto is
// missing.
func Start(t testing.TB) *Server {
	t.Helper()
	why, ok := Available()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto is required in CI: %s", why)
		}
		t.Skipf("skipping: this test needs moto, the AWS emulator: %s", why)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "moto_launch.py")
	if err := os.WriteFile(script, []byte(launcher), 0o600); err != nil {
		t.Fatal(err)
	}
	// The port is free when freePort closes it, but another process on the
	// machine may take it before moto binds it: then try another one.
	for attempt := 1; ; attempt++ {
		s, log, err := launch(t, dir, script, attempt)
		if err == nil {
			return s
		}
		if attempt < 5 && bytes.Contains(log, []byte("in use")) {
			continue
		}
		t.Fatalf("%v:\n%s", err, log)
	}
}

// launch starts moto on a free port and waits until it answers; it
// returns moto's log with the error when moto exits or does not answer.
func launch(t testing.TB, dir, script string, attempt int) (*Server, []byte, error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "moto-"+strconv.Itoa(attempt)+".log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command("python3", script, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// Executing a state machine's service tasks, moto calls itself
	// through boto3 at localhost:$MOTO_PORT (5000 when unset).
	cmd.Env = append(os.Environ(), "MOTO_PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, nil, fmt.Errorf("starting moto: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			t.Cleanup(stop)
			return s, nil, nil
		}
		select {
		case <-done:
			logf.Close()
			log, _ := os.ReadFile(logf.Name())
			return nil, log, errors.New("moto exited at start")
		default:
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(logf.Name())
			return nil, log, fmt.Errorf("moto did not answer on %s within a minute", s.URL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ExecuteStateMachines makes moto's Step Functions run definitions (by
// default it only records executions).
func (s *Server) ExecuteStateMachines(t testing.TB) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"stepfunctions": map[string]any{"execute_state_machine": true}})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/moto-api/config", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatal(fmt.Errorf("moto config: HTTP %d", resp.StatusCode))
	}
}
