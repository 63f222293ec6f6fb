// Package web serves heapscope's browser UI and the JSON API it uses
// (`heapscope serve`): the Summary view with each class's instances, an
// object page (properties, retainers, retainer paths, dominator chain,
// source location), the source around a location, the dominator tree, the
// Comparison of any two loaded snapshots and the leak findings over all of
// them.
//
// The front end (web/ui, Preact and htm bundled by esbuild) is built at
// development time into web/dist, which is committed and embedded (with
// the go:embed directive), so building heapscope never needs npm. The API is
// documented in docs/api.md.
//
// Handlers are thin: every number comes from the analysis packages (graph,
// summary, paths, diff, leak), computed once per snapshot when the server is
// created or once per question and cached. Heaps hold secrets (passwords,
// tokens, personal data), so every request must carry the server's random
// token (see Server.Handler), name this server in its Host header (no DNS
// rebinding), and the expensive questions run a few at a time; binding to
// loopback is the caller's job.
package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/report"
)

//go:embed all:dist
var dist embed.FS

// Snapshot is one analysed snapshot to serve.
type Snapshot struct {
	// Name labels the snapshot in the UI (usually its file name).
	Name string
	// Graph is the analysed snapshot. The server treats it as read-only
	// except for the retainer index, which New builds.
	Graph *graph.Graph
}

// Options controls New.
type Options struct {
	// Token is the secret every request must carry; "" makes a random one.
	Token string
	// Samples is the heap usage over time of the process the snapshots come
	// from (a saved `heapscope run`), shown as a chart; nil for none.
	Samples []report.HeapSample
	// MinGrowth is the default leak threshold (leak.Options.MinGrowth);
	// 0 means leak.DefaultMinGrowth.
	MinGrowth int
	// Sources, if set, maps the leak findings' locations to their original
	// sources (leak.Options.Sources).
	Sources object.SourceMapper
	// SnapshotTimes, if set, are the times the snapshots were taken, one
	// per snapshot in order, in milliseconds on the Samples' clock (a
	// negative time: unknown). The heap chart marks them.
	SnapshotTimes []int64
	// MaxHeavy bounds how many expensive requests (retainer paths,
	// comparisons, leak findings) run at once; 0 means GOMAXPROCS. Up to
	// 64 more wait for a turn (waiting costs nothing: the UI asks a few at
	// once); beyond that a request gets 503 with Retry-After.
	MaxHeavy int
}

// Server is the web UI and API over a fixed set of snapshots. Create it
// with New; it is safe for concurrent use.
type Server struct {
	token     string
	cookie    string
	snaps     []*snap
	samples   []report.HeapSample
	snapTimes []int64
	minGrowth int
	sources   object.SourceMapper
	handler   http.Handler

	// hosts are the Host headers accepted, once SetAddr has told the
	// server its address (nil: loopback names and IP literals only).
	hosts map[string]bool

	heavy        chan struct{} // a slot per expensive request running
	heavyWaiting atomic.Int32  // expensive requests waiting for a slot
	maxWaiting   int32

	// The graphs are read-only once New has built their retainer index and
	// dominated lists: analyses (diff.Compare, leak.Analyze) do not change
	// a graph they read, so handlers take no lock around them.

	cacheMu  sync.Mutex
	compares map[[2]int]*onceValue[*diff.Result]
	leaks    map[int]*onceValue[leakResult]
}

// onceValue computes a value once, for every caller that asks meanwhile.
type onceValue[T any] struct {
	once sync.Once
	v    T
}

func (o *onceValue[T]) get(f func() T) T {
	o.once.Do(func() { o.v = f() })
	return o.v
}

// maxCached bounds the number of comparisons and leak reports kept.
const maxCached = 8

// New indexes the snapshots for the UI (retainer index, Summary rows, each
// class's instances, totals) and returns the server. It is the slow part:
// a few seconds for a snapshot of several hundred MB.
func New(snaps []Snapshot, opt Options) (*Server, error) {
	if len(snaps) == 0 {
		return nil, fmt.Errorf("web: no snapshot to serve")
	}
	s := &Server{
		token:     opt.Token,
		samples:   opt.Samples,
		snapTimes: opt.SnapshotTimes,
		minGrowth: opt.MinGrowth,
		sources:   opt.Sources,
		compares:  map[[2]int]*onceValue[*diff.Result]{},
		leaks:     map[int]*onceValue[leakResult]{},
	}
	if s.minGrowth <= 0 {
		s.minGrowth = leak.DefaultMinGrowth
	}
	heavy := opt.MaxHeavy
	if heavy <= 0 {
		heavy = runtime.GOMAXPROCS(0)
	}
	s.heavy = make(chan struct{}, heavy)
	s.maxWaiting = maxWaiting
	if s.token == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("web: making a token: %w", err)
		}
		s.token = hex.EncodeToString(b[:])
	}
	// One cookie name per token, so that two servers on one host (cookies
	// ignore ports) do not overwrite each other's.
	sum := sha256.Sum256([]byte(s.token))
	s.cookie = "heapscope_" + hex.EncodeToString(sum[:6])
	for k, in := range snaps {
		if in.Graph == nil {
			return nil, fmt.Errorf("web: snapshot %d (%s) has no graph", k, in.Name)
		}
		sn, err := newSnap(k, in.Name, in.Graph)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", in.Name, err)
		}
		s.snaps = append(s.snaps, sn)
	}
	ui, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("web: embedded UI: %w", err)
	}
	s.handler = s.routes(ui)
	return s, nil
}

// Token returns the secret that requests must carry.
func (s *Server) Token() string { return s.token }

// SetAddr tells the server the address it listens on (the listener's
// Addr) and the address it was asked for (--addr; "" for none). From then
// on it answers only requests whose Host header names that address (a page
// of a DNS name rebound to 127.0.0.1 names its own), and its cookie's name
// carries the port (cookies are shared by every port of a host). Call it
// before serving.
func (s *Server) SetAddr(listen net.Addr, given string) {
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		return
	}
	s.hosts = map[string]bool{}
	add := func(h string) { s.hosts[strings.ToLower(net.JoinHostPort(h, port))] = true }
	add(host)
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		add("127.0.0.1")
		add("localhost")
		add("::1")
	}
	if h, _, err := net.SplitHostPort(given); err == nil && h != "" {
		add(h)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		// Listening on every address (--allow-remote): any IP literal
		// names this machine; a DNS name still has to be the one given.
		s.hosts["ip:"+port] = true
	}
	sum := sha256.Sum256([]byte(s.token))
	s.cookie = "heapscope_" + port + "_" + hex.EncodeToString(sum[:6])
}

// hostAllowed reports whether a request's Host header names this server.
func (s *Server) hostAllowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "80"
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	ip := net.ParseIP(host)
	if s.hosts == nil {
		// Address unknown: loopback names and IP literals, never a DNS name.
		return host == "localhost" || ip != nil
	}
	if ip != nil && s.hosts["ip:"+port] {
		return true
	}
	return s.hosts[net.JoinHostPort(host, port)]
}

// Handler returns the UI and API handler. Every request must carry the
// token: as the query parameter token (a page request then gets it as a
// cookie and is redirected to the same address without it), as that
// cookie, or in an "Authorization: Bearer TOKEN" header. Requests without
// it get 401.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes(ui fs.FS) http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serveJSON(w, r, h) })
	}
	api("GET /api/snapshots", s.apiSnapshots)
	api("GET /api/snapshots/{s}/summary", s.apiSummary)
	api("GET /api/snapshots/{s}/classes/{c}/instances", s.apiInstances)
	api("GET /api/snapshots/{s}/objects/{id}", s.apiObject)
	api("GET /api/snapshots/{s}/objects/{id}/edges", s.apiEdges)
	api("GET /api/snapshots/{s}/objects/{id}/retainers", s.apiRetainers)
	api("GET /api/snapshots/{s}/objects/{id}/paths", s.bounded(s.apiPaths))
	api("GET /api/snapshots/{s}/objects/{id}/dominated", s.apiDominated)
	api("GET /api/compare/{base}/{target}", s.bounded(s.apiCompare))
	api("GET /api/compare/{base}/{target}/classes/{c}/objects", s.bounded(s.apiCompareObjects))
	api("GET /api/leaks", s.bounded(s.apiLeaks))
	api("GET /api/samples", s.apiSamples)
	api("GET /api/snapshots/{s}/scripts/{script}/source", s.apiSource)
	api("GET /api/link", s.apiLink)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no such API: %s %s (see docs/api.md)", r.Method, r.URL.Path))
	})
	static := http.FileServerFS(ui)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			h.Set("Cache-Control", "no-store")
		}
		static.ServeHTTP(w, r)
	})
	return recovering(s.authenticate(mux))
}

// recovering answers a request whose handler panics with 500 and a
// one-line body, and logs one line, instead of net/http's stack dump.
func recovering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := panicerr.Call("web: a request", func() error { next.ServeHTTP(w, r); return nil })
		pe, ok := err.(*panicerr.Error)
		if !ok {
			return
		}
		if pe.Value == http.ErrAbortHandler {
			panic(http.ErrAbortHandler) // net/http's way to abort a response, not a bug
		}
		log.Printf("heapscope: %s %s: %v", r.Method, r.URL.Path, pe)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, http.StatusInternalServerError, pe)
			return
		}
		http.Error(w, "heapscope: "+pe.Error(), http.StatusInternalServerError)
	})
}

// maxWaiting bounds the expensive requests waiting for a slot.
const maxWaiting = 64

// errBusy is the answer to an expensive request when too many wait.
var errBusy = errors.New("too many expensive requests at once; retry shortly")

// bounded runs h when one of the server's slots for expensive requests is
// free: many parallel "paths?all=1" would otherwise take every core and
// gigabytes. A request waits while few wait; beyond that it gets 503.
func (s *Server) bounded(h func(w http.ResponseWriter, r *http.Request) (any, error)) func(w http.ResponseWriter, r *http.Request) (any, error) {
	return func(w http.ResponseWriter, r *http.Request) (any, error) {
		select {
		case s.heavy <- struct{}{}:
		default:
			if s.heavyWaiting.Add(1) > s.maxWaiting {
				s.heavyWaiting.Add(-1)
				w.Header().Set("Retry-After", "1")
				return nil, &apiError{http.StatusServiceUnavailable, errBusy}
			}
			select {
			case s.heavy <- struct{}{}:
				s.heavyWaiting.Add(-1)
			case <-r.Context().Done():
				s.heavyWaiting.Add(-1)
				return nil, &apiError{http.StatusServiceUnavailable, r.Context().Err()}
			}
		}
		defer func() { <-s.heavy }()
		return h(w, r)
	}
}

// authenticate lets through the requests that carry the token, and turns
// a page request with ?token= into a cookie and a redirect.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if !s.hostAllowed(r.Host) {
			h.Set("Cache-Control", "no-store")
			http.Error(w, "heapscope: the Host header does not name this server; open the address that `heapscope serve` printed", http.StatusMisdirectedRequest)
			return
		}
		if q := r.URL.Query().Get("token"); q != "" && s.valid(q) {
			if strings.HasPrefix(r.URL.Path, "/api/") || r.Method != http.MethodGet {
				next.ServeHTTP(w, r)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			v := r.URL.Query()
			v.Del("token")
			// A path of this server, escaped: never "//host", nor "/\host",
			// which browsers read as "//host".
			to := (&url.URL{Path: "/" + strings.TrimLeft(r.URL.Path, "/\\"), RawQuery: v.Encode()}).String()
			h.Set("Cache-Control", "no-store")
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if c, err := r.Cookie(s.cookie); err == nil && s.valid(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") && s.valid(strings.TrimPrefix(a, "Bearer ")) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Cache-Control", "no-store")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, http.StatusUnauthorized, fmt.Errorf("missing or wrong token: pass ?token=, the cookie, or Authorization: Bearer"))
			return
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, unauthorizedPage)
	})
}

// unauthorizedPage is what a page request without the token gets: most
// often an address copied from the browser (which drops the token once it
// has its cookie) and opened in another browser or profile.
const unauthorizedPage = `heapscope: this address needs the token printed by heapscope serve.

Open the address that ` + "`heapscope serve`" + ` printed (it ends in ?token=…), or add ?token=TOKEN
to this one, before any #: http://127.0.0.1:PORT/?token=TOKEN#/leaks opens the Leaks view.
In the UI, "Copy link" copies the address of the view with the token, for another browser.
The token is in no address the browser keeps: after the first visit it is a cookie of this browser.
`

// apiLink answers the address of a view with the token, for the UI's
// "Copy link" button: the browser's address holds no token (it is swapped
// for an HttpOnly cookie on the first visit), so a copied address alone
// opens nowhere else. Only a request that already carries the token gets
// here, and no other site can read the answer (no CORS, Host checked).
func (s *Server) apiLink(w http.ResponseWriter, r *http.Request) (any, error) {
	return struct {
		Token string `json:"token"`
	}{s.token}, nil
}

func (s *Server) valid(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}
