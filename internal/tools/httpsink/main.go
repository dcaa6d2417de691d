package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
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
	srv := &http.Server{Handler: http.HandlerFunc(answer), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "httpsink:", err)
		os.Exit(1)
	}
}

// answer reads the request's body and accepts it, as API Gateway's SQS
// integration answers an order with its message id.
func answer(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"SendMessageResponse":{"SendMessageResult":{"MessageId":"00000000-0000-0000-0000-000000000000"}}}`)
}
