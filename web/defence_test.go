package web

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// newListeningServer serves the first n snapshots of the series, told its
// address as "heapscope serve" tells it.
func newListeningServer(t *testing.T, n int, opt Options) (*Server, *httptest.Server) {
	t.Helper()
	opt.Token = testToken
	srv, err := New(loadSeries(t)[:n], opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	srv.SetAddr(ts.Listener.Addr(), "127.0.0.1:0")
	ts.Start()
	t.Cleanup(ts.Close)
	return srv, ts
}

// do sends req without following redirects.
func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// The ?token= redirect only ever leads to a path of this server: a
// backslash or doubled slash at the path's start must not make the
// Location a host ("/\evil.example" is read by browsers as "//evil.example").
func TestTokenRedirectStaysOnServer(t *testing.T) {
	ts := newTestServer(t, 1)
	for _, path := range []string{"/%5Cevil.example", "/%5C%5Cevil.example", "//evil.example", "/%2F%2Fevil.example", "/%5C/evil.example", "/%09/evil.example"} {
		res := do(t, mustRequest(t, ts.URL+path+"?token="+testToken))
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("GET %s?token=: %d, want 303", path, res.StatusCode)
			continue
		}
		if !strings.HasPrefix(loc, "/") || len(loc) > 1 && (loc[1] == '/' || loc[1] == '\\') || strings.ContainsAny(loc, "\\\t") {
			t.Errorf("GET %s?token=: Location %q leaves the server", path, loc)
		}
		base, _ := url.Parse(ts.URL + "/")
		if to, err := base.Parse(loc); err != nil || to.Host != base.Host {
			t.Errorf("GET %s?token=: Location %q resolves to %v (%v)", path, loc, to, err)
		}
	}
	// The rest of the address is kept.
	res := do(t, mustRequest(t, ts.URL+"/index.html?view=leaks&token="+testToken))
	if loc := res.Header.Get("Location"); loc != "/index.html?view=leaks" {
		t.Errorf("Location %q, want /index.html?view=leaks", loc)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A page of a DNS name rebound to 127.0.0.1 sends its own name as Host: the
// server answers only the names of its address, even with the token.
func TestHostHeaderChecked(t *testing.T) {
	_, ts := newListeningServer(t, 1, Options{})
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	for host, want := range map[string]int{
		"127.0.0.1:" + port:              http.StatusOK,
		"localhost:" + port:              http.StatusOK,
		"LOCALHOST:" + port:              http.StatusOK,
		"[::1]:" + port:                  http.StatusOK,
		"evil.example:" + port:           http.StatusMisdirectedRequest,
		"evil.example":                   http.StatusMisdirectedRequest,
		"127.0.0.1:1":                    http.StatusMisdirectedRequest,
		"localhost.evil.example:" + port: http.StatusMisdirectedRequest,
	} {
		r := mustRequest(t, ts.URL+"/api/snapshots")
		r.Host = host
		r.Header.Set("Authorization", "Bearer "+testToken)
		if res := do(t, r); res.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, res.StatusCode, want)
		}
	}
	// Before it knows its address, the server still refuses DNS names.
	ts2 := newTestServer(t, 1)
	r := mustRequest(t, ts2.URL+"/?token="+testToken)
	r.Host = "rebound.evil.example"
	if res := do(t, r); res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host rebound.evil.example on a server without its address: %d, want 421", res.StatusCode)
	}
}

// Cookies are shared by every port of 127.0.0.1 (the debugged app's too):
// the auth cookie's name carries the port, so one server's cookie is not
// another's, even with the same token.
func TestCookieNameCarriesPort(t *testing.T) {
	_, a := newListeningServer(t, 1, Options{})
	_, b := newListeningServer(t, 1, Options{})
	res := do(t, mustRequest(t, a.URL+"/?token="+testToken))
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %+v", cookies)
	}
	_, port, _ := net.SplitHostPort(a.Listener.Addr().String())
	if !strings.Contains(cookies[0].Name, "_"+port+"_") {
		t.Errorf("cookie name %q does not carry the port %s", cookies[0].Name, port)
	}
	for ts, want := range map[*httptest.Server]int{a: http.StatusOK, b: http.StatusUnauthorized} {
		r := mustRequest(t, ts.URL+"/api/snapshots")
		r.AddCookie(cookies[0])
		if res := do(t, r); res.StatusCode != want {
			t.Errorf("%s with %s's cookie: %d, want %d", ts.URL, a.URL, res.StatusCode, want)
		}
	}
}

// Expensive requests run a few at a time: beyond the slots, a few wait
// for a turn and the rest get 503 with Retry-After.
func TestHeavyRequestsBounded(t *testing.T) {
	srv, ts := newListeningServer(t, 2, Options{MaxHeavy: 1})
	srv.heavy <- struct{}{} // the one slot, taken
	var wg sync.WaitGroup
	codes := make(chan int, srv.maxWaiting)
	for range srv.maxWaiting {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- get(t, ts, "/api/compare/0/1", nil)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.heavyWaiting.Load() < srv.maxWaiting {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests waiting, want %d", srv.heavyWaiting.Load(), srv.maxWaiting)
		}
		time.Sleep(time.Millisecond)
	}
	for _, path := range []string{"/api/compare/0/1", "/api/leaks", "/api/snapshots/1/objects/1/paths?k=20&all=1"} {
		r := mustRequest(t, ts.URL+path)
		r.Header.Set("Authorization", "Bearer "+testToken)
		res := do(t, r)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s with every slot taken and the queue full: %d, Retry-After %q; want 503 with Retry-After", path, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	// Cheap requests are not held up.
	if code := get(t, ts, "/api/snapshots", nil); code != http.StatusOK {
		t.Errorf("GET /api/snapshots while busy: %d", code)
	}
	<-srv.heavy
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a waiting request: %d, want 200", code)
		}
	}
}
