package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// arrivals are the times the POSTs arrived, since the last GET.
var (
	mu       sync.Mutex
	arrivals []int64
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpsink:", err)
		os.Exit(2)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: http.HandlerFunc(serve), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "httpsink:", err)
		os.Exit(1)
	}
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		dump(w)
		return
	}
	now := time.Now().UnixNano()
	mu.Lock()
	arrivals = append(arrivals, now)
	mu.Unlock()
	// Read the order and accept it, as API Gateway's SQS integration
	// answers with the message id.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"SendMessageResponse":{"SendMessageResult":{"MessageId":"00000000-0000-0000-0000-000000000000"}}}`)
}

// dump writes the arrival times and forgets them.
func dump(w http.ResponseWriter) {
	mu.Lock()
	ts := arrivals
	arrivals = nil
	mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	buf := make([]byte, 0, 20*len(ts))
	for _, t := range ts {
		buf = strconv.AppendInt(buf, t, 10)
		buf = append(buf, '\n')
	}
	_, _ = w.Write(buf)
}
