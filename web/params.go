package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/heapscope/heapscope/snapshot"
)

// Paging limits: a page never holds more than maxLimit rows, so that a
// class of millions of instances is always fetched a page at a time.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// apiError is an error with an HTTP status.
type apiError struct {
	status int
	err    error
}

func (e *apiError) Error() string { return e.err.Error() }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Errorf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Errorf(format, args...)}
}

// serveJSON runs an API handler and writes its result or error as JSON.
// Handlers take no lock: the graphs are read-only once New returns.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request) (any, error)) {
	var v any
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("internal error: %v", p)
			}
		}()
		v, err = h(w, r)
	}()
	if err != nil {
		status := http.StatusInternalServerError
		var ae *apiError
		if errors.As(err, &ae) {
			status = ae.status
		}
		writeError(w, status, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client left
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// Page is one page of a longer list.
type Page[T any] struct {
	// Total is the length of the whole list (after filtering).
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Items  []T `json:"items"`
}

func (s *Server) snapParam(r *http.Request, name string) (*snap, error) {
	v := r.PathValue(name)
	k, err := strconv.Atoi(v)
	if err != nil || k < 0 || k >= len(s.snaps) {
		return nil, notFound("no snapshot %q: snapshots are numbered 0 to %d", v, len(s.snaps)-1)
	}
	return s.snaps[k], nil
}

// objectParams resolves the snapshot {s} and the object {id} ("123" or
// "@123", a V8 object id) of the request.
func (s *Server) objectParams(r *http.Request) (*snap, snapshot.Ordinal, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, 0, err
	}
	v := r.PathValue("id")
	id, err := strconv.ParseUint(strings.TrimPrefix(v, "@"), 10, 32)
	if err != nil {
		return nil, 0, badRequest("%q is not an object id", v)
	}
	o, ok := sn.ordinalOf(snapshot.NodeID(id))
	if !ok {
		return nil, 0, notFound("snapshot %d has no object @%d", sn.index, id)
	}
	return sn, o, nil
}

// objectPage runs f on the object of the request, for the paged lists of
// an object (offset, limit).
func (s *Server) objectPage(r *http.Request, f func(sn *snap, o snapshot.Ordinal, offset, limit int) (any, error)) (any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	sn, o, err := s.objectParams(r)
	if err != nil {
		return nil, err
	}
	return f(sn, o, offset, limit)
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// boolParam reads a flag: "true" or "1" set it.
func boolParam(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	return v == "true" || v == "1"
}

// page reads offset and limit.
func page(r *http.Request) (offset, limit int, err error) {
	if offset, err = intParam(r, "offset", 0, 0, 1<<31-1); err != nil {
		return
	}
	limit, err = intParam(r, "limit", defaultLimit, 1, maxLimit)
	return
}

// window returns the bounds of a page in a list of n items.
func window(n, offset, limit int) (lo, hi int) {
	lo = min(offset, n)
	return lo, min(n, lo+limit)
}

func enumParam(r *http.Request, name, def string, allowed ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	if !slices.Contains(allowed, v) {
		return "", badRequest("%s=%q: want one of %s", name, v, strings.Join(allowed, ", "))
	}
	return v, nil
}

// maxFilterLen bounds filter and regex, in bytes: compiling a regular
// expression costs memory in proportion to its length, and names worth
// looking for are short.
const maxFilterLen = 1000

// nameFilter reads filter (a case-insensitive substring) and regex (a Go
// regular expression); nil when neither is given.
func nameFilter(r *http.Request) (func(string) bool, error) {
	q := r.URL.Query()
	for _, p := range []string{"filter", "regex"} {
		if n := len(q.Get(p)); n > maxFilterLen {
			return nil, badRequest("%s: %d bytes, at most %d", p, n, maxFilterLen)
		}
	}
	var fs []func(string) bool
	if f := strings.ToLower(q.Get("filter")); f != "" {
		fs = append(fs, func(name string) bool { return strings.Contains(strings.ToLower(name), f) })
	}
	if re := q.Get("regex"); re != "" {
		x, err := regexp.Compile(re)
		if err != nil {
			return nil, badRequest("regex: %v", err)
		}
		fs = append(fs, x.MatchString)
	}
	if len(fs) == 0 {
		return nil, nil
	}
	return func(name string) bool {
		for _, f := range fs {
			if !f(name) {
				return false
			}
		}
		return true
	}, nil
}
