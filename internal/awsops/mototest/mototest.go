package mototest

import (
	"bytes"
	"context"
	"encoding/json"
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
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", script, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// Executing a state machine's service tasks, moto calls itself
	// through boto3 at localhost:$MOTO_PORT (5000 when unset).
	cmd.Env = append(os.Environ(), "MOTO_PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
	})
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("moto exited at start:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto did not answer on %s within a minute", s.URL)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
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
