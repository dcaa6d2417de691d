package apisubmit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/awsops/submit"
)

func plan(t *testing.T, n int) *submit.Plan {
	t.Helper()
	p, err := submit.NewPlan(awsops.Queue{}, opstest.Orders(n))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSubmitRetries429And5xx(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-api-key") != "k" {
			w.WriteHeader(400)
			return
		}
		switch {
		case n%3 == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case n%3 == 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			fmt.Fprintf(w, `{"SendMessageResponse":{"SendMessageResult":{"MessageId":"m-%d"}}}`, n)
		}
	}))
	defer srv.Close()
	res, err := Submit(context.Background(), plan(t, 5), Options{URL: srv.URL + "/prod/orders", APIKey: "k", Concurrency: 1, Sleep: opstest.NoSleep})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 5 || res.Retries != 10 {
		t.Fatalf("sent %d, retries %d: %+v", res.Sent, res.Retries, res.Orders)
	}
	for _, o := range res.Orders {
		if !strings.HasPrefix(o.MessageID, "m-") || o.Attempts != 3 {
			t.Fatalf("%+v", o)
		}
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
	}))
	defer bad.Close()
	res, err = Submit(context.Background(), plan(t, 2), Options{URL: bad.URL, Sleep: opstest.NoSleep})
	if err != nil || res.Failed != 2 || !strings.Contains(res.Orders[0].Error, "HTTP 403") || res.Orders[0].Attempts != 1 {
		t.Fatalf("403 must fail at once: %+v %v", res, err)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{"": "api_url: is required with via api", "ftp://example.com/orders": "is not an http(s) URL"} {
		if err := CheckURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want %q", raw, err, want)
		}
	}
	if err := CheckURL("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders"); err != nil {
		t.Error(err)
	}
}
