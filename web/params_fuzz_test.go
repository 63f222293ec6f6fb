package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParams feeds the API's parameter parsing (params.go, and the
// parameters of the source endpoint) any query and path values: no panic,
// every value parsed is within its bounds, every refusal is a 400 or 404,
// and answers stay bounded. It then sends the same values through the
// handler, to the endpoints cheap enough to run per input.
func FuzzParams(f *testing.F) {
	for _, seed := range []struct{ query, s, id string }{
		{"offset=0&limit=100", "0", "1"},
		{"sort=retained&reverse=1&filter=Server", "0", "@6061"},
		{"regex=(a+)+$&limit=1000&offset=2147483647", "1", "@"},
		{"limit=0&offset=-1", "-1", "99999999999"},
		{"regex=" + url.QueryEscape(strings.Repeat("(", 2000)), "00", "@-1"},
		{"line=0&context=201&column=x", "0", "4294967296"},
		{"line=10&context=2&k=21&minGrowth=0&which=new&all=1", "+0", " 1"},
		{"filter=%ff%fe&regex=%5Cp%7BL%7D", "0", "@0"},
		{"offset=1e3&limit=007", "0x0", "@+1"},
		{"filter=rC", "0", ""}, // an empty segment: the mux redirects
	} {
		f.Add(seed.query, seed.s, seed.id)
	}
	snaps := loadSeries(f)[:1]
	srv, err := New(snaps, Options{Token: testToken})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, query, s, id string) {
		start := time.Now()
		defer func() {
			// Bounded in time too: a few milliseconds on this small
			// snapshot; seconds would mean work that grows with an input.
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("%q %q %q took %s", query, s, id, d)
			}
		}()
		r := httptest.NewRequest("GET", "/x", nil)
		r.URL.RawQuery = query
		r.SetPathValue("s", s)
		r.SetPathValue("id", id)
		r.SetPathValue("script", id)
		refused := func(what string, err error) {
			t.Helper()
			var ae *apiError
			if !errors.As(err, &ae) || (ae.status != http.StatusBadRequest && ae.status != http.StatusNotFound) {
				t.Fatalf("%s: %v is not a 400 or 404", what, err)
			}
		}
		if offset, limit, err := page(r); err != nil {
			refused("page", err)
		} else if offset < 0 || limit < 1 || limit > maxLimit {
			t.Fatalf("page: offset %d limit %d", offset, limit)
		} else if lo, hi := window(1<<20, offset, limit); lo < 0 || hi < lo || hi-lo > maxLimit {
			t.Fatalf("window [%d, %d)", lo, hi)
		}
		if n, err := intParam(r, "context", defaultContext, 0, maxSourceContext); err != nil {
			refused("context", err)
		} else if n < 0 || n > maxSourceContext {
			t.Fatalf("context %d", n)
		}
		allowed := []string{"retained", "self", "count", "distance", "name"}
		if v, err := enumParam(r, "sort", "retained", allowed...); err != nil {
			refused("sort", err)
		} else if !slices.Contains(allowed, v) {
			t.Fatalf("sort %q", v)
		}
		_ = boolParam(r, "reverse")
		if match, err := nameFilter(r); err != nil {
			refused("filter", err)
		} else if match != nil {
			match("Server")
			match(strings.Repeat("x", 300))
		}
		if sn, err := srv.snapParam(r, "s"); err != nil {
			refused("snapshot", err)
		} else if sn == nil || sn.index < 0 || sn.index >= len(srv.snaps) {
			t.Fatalf("snapshot %v", sn)
		}
		if _, _, err := srv.objectParams(r); err != nil {
			refused("object", err)
		}

		// The same values through the handler. Path values are escaped
		// into one segment each, as a client must.
		seg := func(v string) string { return url.PathEscape(v) }
		for _, path := range []string{
			"/api/snapshots/" + seg(s) + "/summary",
			"/api/snapshots/" + seg(s) + "/classes/" + seg(id) + "/instances",
			"/api/snapshots/" + seg(s) + "/objects/" + seg(id) + "/edges",
			"/api/snapshots/" + seg(s) + "/objects/" + seg(id) + "/retainers",
			"/api/snapshots/" + seg(s) + "/scripts/" + seg(id) + "/source",
		} {
			req := httptest.NewRequest("GET", "http://127.0.0.1:8080/", nil)
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery = "", "", query
			if u, err := url.Parse(path); err == nil {
				req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			switch w.Code {
			case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
			case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
				// The mux cleans a path with an empty or dot segment: a
				// redirect to a path of this server, never to another host.
				if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
					t.Fatalf("GET %s?%s: redirect to %q", path, query, loc)
				}
				continue
			default:
				t.Fatalf("GET %s?%s: %d %s", path, query, w.Code, w.Body.Bytes())
			}
			if w.Body.Len() > 4<<20 {
				t.Fatalf("GET %s?%s: %d bytes", path, query, w.Body.Len())
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("GET %s?%s: not JSON: %.200s", path, query, w.Body.Bytes())
			}
		}
	})
}

// A filter or regex longer than maxFilterLen is refused, not compiled.
func TestLongFilterRefused(t *testing.T) {
	ts := newTestServer(t, 1)
	long := url.QueryEscape(strings.Repeat("a|", maxFilterLen))
	for _, p := range []string{"filter", "regex"} {
		if code := get(t, ts, "/api/snapshots/0/summary?"+p+"="+long, nil); code != http.StatusBadRequest {
			t.Errorf("%s of %d bytes: %d, want 400", p, 2*maxFilterLen, code)
		}
	}
	if code := get(t, ts, "/api/snapshots/0/summary?regex="+url.QueryEscape(strings.Repeat("a", maxFilterLen)), nil); code != http.StatusOK {
		t.Errorf("regex of %d bytes: %d, want 200", maxFilterLen, code)
	}
}
