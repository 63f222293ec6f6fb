package hunt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/internal/panicerr"
)

// HTTPDriver sends GET requests to one loopback URL of the program under
// test: one unit of work is one request.
type HTTPDriver struct {
	URL         string
	Concurrency int
	// Timeout bounds one request.
	Timeout time.Duration

	client    *http.Client
	transport *http.Transport
	// Status counts the answers by status code class (2 for 2xx, ...).
	Status [6]atomic.Int64
}

// maxBody bounds the part of an answer that is read.
const maxBody = 1 << 20

// NewHTTPDriver checks that rawURL is an http(s) URL on a loopback address
// and returns a driver for it. Other hosts are refused: heapscope only
// drives the program it is watching, on this machine.
func NewHTTPDriver(ctx context.Context, rawURL string, concurrency int) (*HTTPDriver, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--drive: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--drive %s: only http and https URLs", rawURL)
	}
	if !inspector.IsLoopback(ctx, u.Hostname()) {
		return nil, fmt.Errorf("--drive %s: refusing a host that is not a loopback address (127.0.0.1, ::1, localhost)", rawURL)
	}
	concurrency = max(1, concurrency)
	d := &HTTPDriver{URL: u.String(), Concurrency: concurrency, Timeout: 10 * time.Second}
	d.transport = &http.Transport{
		Proxy:               nil, // never through a proxy: the target is local
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: concurrency,
	}
	d.client = &http.Client{Transport: d.transport, Timeout: d.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !inspector.IsLoopback(req.Context(), req.URL.Hostname()) {
				return fmt.Errorf("redirect to %s refused: not a loopback host", req.URL.Host)
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		}}
	return d, nil
}

// Unit implements driver.
func (d *HTTPDriver) Unit() string { return "request" }

func (d *HTTPDriver) get(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL, nil)
	if err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if c := resp.StatusCode / 100; c >= 1 && c <= 5 {
		d.Status[c].Add(1)
	}
	return nil
}

// WaitReady retries one request until it gets an answer, for timeout.
func (d *HTTPDriver) WaitReady(ctx context.Context, timeout time.Duration, stop <-chan struct{}) error {
	end := time.Now().Add(timeout)
	for {
		err := d.get(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("--drive %s does not answer after %s: %w", d.URL, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			return ErrTargetExited
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Run implements driver: n requests, Concurrency at a time. Connections are
// closed afterwards so that the server's per-connection objects go too.
// It fails when any request gets no answer.
func (d *HTTPDriver) Run(ctx context.Context, n int) error {
	defer d.transport.CloseIdleConnections()
	var next atomic.Int64
	var failed atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(d.Concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := panicerr.Call("hunt: an HTTP request", func() error { return d.get(ctx) }); err != nil {
					failed.Add(1)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					if _, ok := err.(*panicerr.Error); ok || ctx.Err() != nil {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d requests to %s failed: %w", f, n, d.URL, first)
	}
	return nil
}
