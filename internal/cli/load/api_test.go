package load

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// TestLoadViaAPIOpensFewConnectionsThroughAStall: a target that answers
// in 20 ms and then stalls for a second, while 2,000 orders a second are
// due. The run starts more senders than its 8 (each call has a connection
// of its own, and 8 cannot carry 2,000/s at 20 ms), as many as the rate
// and the quick answers ask for, not one for each of the ~2,000 orders
// due during the stall, whose connections would all be opened at once.
func TestLoadViaAPIOpensFewConnectionsThroughAStall(t *testing.T) {
	var n, conns atomic.Int64
	stall := make(chan struct{})
	var once sync.Once
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if n.Add(1) == 600 {
			once.Do(func() { time.AfterFunc(time.Second, func() { close(stall) }) })
		}
		if n.Load() >= 600 {
			<-stall
		}
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, `{"messageId":"m"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	err := clitest.Exec(NewCmdLoad(f, nil), "--via", "api", "--api-url", srv.URL+"/orders",
		"--rate", "2000/s", "--duration", "2s", "--track", "none", "--concurrency", "8", "--max-connections", "5000")
	if err != nil {
		t.Fatal(err)
	}
	var rep load.Report
	if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	p, o := rep.Pacing, rep.Orders
	if n.Load() < 600 {
		t.Fatalf("only %d requests: the stall never came", n.Load())
	}
	// A dial that loses the race to a connection coming back idle still
	// adds its connection to the pool: a few more than the senders.
	if p.Senders <= 8 || p.Senders >= 1000 || conns.Load() >= 1000 || p.MaxSenders != 5000 {
		t.Fatalf("%d senders (of %d), %d connections opened: want more than 8 and far fewer than the 2,000 orders due in the stall",
			p.Senders, p.MaxSenders, conns.Load())
	}
	if o.NotAccepted != 0 || o.Accepted != o.Submitted || o.Submitted+o.Unsent != o.Planned || !rep.Accounting.Holds {
		t.Fatalf("%+v", o)
	}
	t.Logf("%d senders, %d connections, %d sent, %d late, %d unsent, waited for a sender %d times",
		p.Senders, conns.Load(), o.Submitted, o.Late, o.Unsent, p.HeldForSender)
}
