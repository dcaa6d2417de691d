package load

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/order"
)

// TestLoadViaAPI posts to a local API stand-in that throttles one request
// in five with 429: those orders are not accepted and counted as API
// throttles; every body is a valid order whose id is the run's.
func TestLoadViaAPI(t *testing.T) {
	var n, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		o, err := order.Decode(body)
		if err != nil || o.Validate() != nil || r.Header.Get("x-api-key") != "k" || !strings.HasPrefix(o.OrderID, "ord_") {
			bad.Add(1)
		}
		if n.Add(1)%5 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{"messageId":"m"}`)
	}))
	defer srv.Close()
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	err := clitest.Exec(NewCmdLoad(f, nil), "--via", "api", "--api-url", srv.URL+"/orders", "--api-key", "k",
		"--rate", "200/s", "--duration", "1s", "--track", "none", "--threshold", "api_429.count<10")
	if err == nil || !strings.Contains(err.Error(), "threshold breached: api_429.count<10") {
		t.Fatalf("%v", err)
	}
	var rep load.Report
	if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	o := rep.Orders
	if bad.Load() != 0 || o.Submitted == 0 || o.Submitted != n.Load() || o.API429 != o.NotAccepted || o.SendErrors["HTTP 429"] != o.NotAccepted ||
		o.NotAccepted != n.Load()/5 || o.StillRunning != o.Accepted || !rep.Accounting.Holds {
		t.Fatalf("%d requests (%d bad), %+v", n.Load(), bad.Load(), o)
	}
}

// TestInterruptReportsAndExits130: Ctrl-C (the context ending) stops the
// sending; the report of what was sent is printed and the command ends
// interrupted (exit 130).
func TestInterruptReportsAndExits130(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, `{"messageId":"m"}`)
	}))
	defer srv.Close()
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for n.Load() < 20 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	err := clitest.ExecContext(ctx, NewCmdLoad(f, nil), "--via", "api", "--api-url", srv.URL+"/orders",
		"--rate", "100/s", "--duration", "1m", "--track", "none")
	if !errors.Is(err, cmdutil.ErrInterrupted) {
		t.Fatalf("%v", err)
	}
	var rep load.Report
	if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Orders.Submitted < 20 || rep.Orders.Submitted >= 6000 || rep.Orders.Unsent != 0 || !rep.Accounting.Holds {
		t.Fatalf("%+v %+v", rep.Orders, rep.Accounting)
	}
}
