// Package sourcemap maps locations in generated scripts to their original
// sources through the scripts' source maps.
//
// A Resolver finds a script's map the way Node.js does: the script file's
// last `//# sourceMappingURL=` comment names it, as a file beside the
// script or as an inline data: URL. Decoding the map (VLQ mappings, index
// maps) is github.com/go-sourcemap/sourcemap's. Whatever goes wrong —
// the script is not on this machine, has no map, the map is malformed or
// hostile — is a miss: the location stays unmapped.
package sourcemap

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	gosourcemap "github.com/go-sourcemap/sourcemap"

	"github.com/heapscope/heapscope/object"
)

// MaxFileSize bounds the scripts and maps a Resolver reads: a larger file
// is a miss. Bundles with inline maps reach tens of MiB; beyond that the
// file is more likely not a script at all.
const MaxFileSize = 64 << 20

// tailSize is how much of a script's end is read first when looking for
// its sourceMappingURL comment; the read grows while the comment's line
// does not fit (a long inline map).
const tailSize = 64 << 10

// maxSegments bounds the separators of a map's mappings (see load).
const maxSegments = 16 << 20

// Options configure a Resolver.
type Options struct {
	// Root is the directory that script names which are not absolute are
	// resolved against; "" means the process's working directory.
	Root string
}

// Resolver maps locations of generated scripts to their original sources.
// It reads each script's map once and remembers the result, the misses
// too. Its methods are safe for concurrent use.
type Resolver struct {
	root string

	mu      sync.Mutex
	scripts map[string]*entry
}

// entry is the map of one script, read once.
type entry struct {
	once sync.Once
	m    *sourceMap // nil: no usable map
}

// sourceMap is a parsed map with what is needed to name its sources.
type sourceMap struct {
	c *gosourcemap.Consumer
	// dir is the directory relative sources are resolved against: the map
	// file's, or the script's for an inline map.
	dir string
}

// New returns a Resolver.
func New(o Options) *Resolver {
	root := o.Root
	if root == "" {
		if wd, err := os.Getwd(); err == nil {
			root = wd
		}
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return &Resolver{root: root, scripts: map[string]*entry{}}
}

var _ object.SourceMapper = (*Resolver)(nil)

// Original maps line and column (1-based) of script, named as the snapshot
// names it (an absolute path, a file:// URL, or a path relative to the
// Resolver's root), to the original source (1-based). The original script
// is an absolute path, or as the map names it when that is not a file
// path (webpack://…). ok is false when the script has no usable map or the
// map has nothing at that position.
func (r *Resolver) Original(script string, line, column int32) (object.Source, bool) {
	if line < 1 || column < 1 {
		return object.Source{}, false
	}
	m := r.mapOf(script)
	if m == nil {
		return object.Source{}, false
	}
	src, l, c, ok := m.source(int(line), int(column)-1)
	if !ok || src == "" || l < 1 || c < 0 || l > 1<<31-1 || c >= 1<<31-1 {
		return object.Source{}, false
	}
	return object.Source{Script: m.name(src), Line: int32(l), Column: int32(c + 1)}, true
}

// mapOf is the parsed map of script, or nil.
func (r *Resolver) mapOf(script string) *sourceMap {
	r.mu.Lock()
	e, ok := r.scripts[script]
	if !ok {
		e = &entry{}
		r.scripts[script] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		m, err := r.load(script)
		if err == nil {
			e.m = m
		}
	})
	return e.m
}

// errNoMap is a script without a sourceMappingURL comment.
var errNoMap = errors.New("no sourceMappingURL comment")

// load finds, reads and parses the map of script.
func (r *Resolver) load(script string) (*sourceMap, error) {
	file, err := r.scriptPath(script)
	if err != nil {
		return nil, err
	}
	ref, err := mappingURL(file)
	if err != nil {
		return nil, err
	}
	data, dir, err := readMap(ref, filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	// The library sizes its table by the separators of the mappings
	// before it decodes them: 24 bytes each, 1.5 GiB for 64 MiB of
	// commas. Real maps have one segment in several bytes.
	if n := bytes.Count(data, []byte(",")) + bytes.Count(data, []byte(";")); n > maxSegments {
		return nil, fmt.Errorf("source map of %s: more than %d segments", file, maxSegments)
	}
	c, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("source map of %s: %w", file, err)
	}
	return &sourceMap{c: c, dir: dir}, nil
}

// scriptPath is the file of a script as V8 names it.
func (r *Resolver) scriptPath(script string) (string, error) {
	switch {
	case script == "":
		return "", errors.New("script without a name")
	case strings.HasPrefix(script, "file:"):
		return fileURLPath(script)
	case filepath.IsAbs(script):
		return filepath.Clean(script), nil
	case hasScheme(script):
		// node:…, internal scripts, http(s): nothing on this disk.
		return "", fmt.Errorf("script %q is not a file", script)
	}
	return filepath.Join(r.root, filepath.FromSlash(script)), nil
}

// hasScheme says whether s starts with a URL scheme (node:, webpack://). A
// Windows drive letter (C:\) is not one.
func hasScheme(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(u.Scheme) > 1
}

// fileURLPath is the local path of a file: URL.
func fileURLPath(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("script URL: %w", err)
	}
	if u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
		return "", fmt.Errorf("script URL %q is not a local file", s)
	}
	p := u.Path
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:] // file:///C:/app/x.js
	}
	return filepath.Clean(filepath.FromSlash(p)), nil
}

// openRegular opens name for reading if it is a regular file of at most
// MaxFileSize bytes, and returns its size. The file is checked before it
// is opened (opening a FIFO would block) and again after (it may have been
// replaced in between).
func openRegular(name string) (*os.File, int64, error) {
	before, err := os.Stat(name)
	if err != nil {
		return nil, 0, err
	}
	if !before.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !os.SameFile(before, after) || !after.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s changed while it was opened", name)
	}
	if after.Size() > MaxFileSize {
		f.Close()
		return nil, 0, fmt.Errorf("%s is larger than %d bytes", name, MaxFileSize)
	}
	return f, after.Size(), nil
}

// mappingURL is the URL of the last sourceMappingURL comment of the script
// file, read from its end.
func mappingURL(file string) (string, error) {
	f, size, err := openRegular(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for n := min(int64(tailSize), size); ; n = min(2*n, size) {
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read %s: %w", file, err)
		}
		ref, whole := findMappingURL(buf, n == size)
		if whole {
			if ref == "" {
				return "", errNoMap
			}
			return ref, nil
		}
		if n == size {
			return "", errNoMap
		}
	}
}

// findMappingURL finds the URL of the sourceMappingURL comment at the end
// of a script, of which tail is the end: a line `//# sourceMappingURL=URL`
// (or the older `//@`) followed by nothing but blank lines and other line
// comments (as ECMA-426 extracts it without parsing the script; a comment
// before code, or after code on its line, is not the script's). whole is
// false when the answer needs more of the script: the first line of tail
// may begin before it. atStart says tail begins at the start of the
// script.
func findMappingURL(tail []byte, atStart bool) (ref string, whole bool) {
	for end := len(tail); ; {
		start := bytes.LastIndexByte(tail[:end], '\n') + 1
		if start == 0 && !atStart {
			return "", false
		}
		line := bytes.TrimSpace(tail[start:end])
		switch {
		case len(line) == 0:
		case !bytes.HasPrefix(line, []byte("//")):
			return "", true // code
		default:
			if ref, ok := mappingComment(line); ok {
				return ref, true
			}
		}
		if start == 0 {
			return "", true
		}
		end = start - 1
	}
}

// mappingComment is the URL of line when it is a sourceMappingURL comment.
func mappingComment(line []byte) (string, bool) {
	rest := line[2:]
	if len(rest) == 0 || (rest[0] != '#' && rest[0] != '@') {
		return "", false
	}
	rest, ok := bytes.CutPrefix(bytes.TrimLeft(rest[1:], " \t"), []byte("sourceMappingURL="))
	if !ok || len(rest) == 0 || bytes.ContainsAny(rest, " \t\r\n\v\f") {
		return "", false
	}
	return string(rest), true
}

// readMap reads the map ref names, relative to dir (the script's
// directory), and returns it with the directory its relative sources are
// resolved against.
func readMap(ref, dir string) ([]byte, string, error) {
	if len(ref) >= 5 && strings.EqualFold(ref[:5], "data:") {
		data, err := decodeDataURL(ref)
		return data, dir, err
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil, "", fmt.Errorf("sourceMappingURL: %w", err)
	}
	var file string
	switch {
	case u.Scheme == "file":
		if file, err = fileURLPath(ref); err != nil {
			return nil, "", err
		}
	case u.Scheme != "" || u.Host != "" || u.Path == "":
		return nil, "", fmt.Errorf("sourceMappingURL %q is not a local file", ref)
	default:
		file = filepath.FromSlash(u.Path)
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
	}
	f, size, err := openRegular(file)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, "", fmt.Errorf("read %s: %w", file, err)
	}
	return data, filepath.Dir(file), nil
}

// decodeDataURL decodes a data: URL holding a JSON source map, base64 or
// percent-encoded.
func decodeDataURL(ref string) ([]byte, error) {
	meta, payload, ok := strings.Cut(ref[len("data:"):], ",")
	if !ok {
		return nil, errors.New("data: URL without a comma")
	}
	params := strings.Split(meta, ";")
	if mt := strings.ToLower(strings.TrimSpace(params[0])); mt != "application/json" && mt != "" {
		return nil, fmt.Errorf("data: URL of type %q, not a source map", params[0])
	}
	if len(payload) > MaxFileSize*4/3+4 {
		return nil, errors.New("inline source map too large")
	}
	isBase64 := false
	for _, p := range params[1:] {
		if strings.EqualFold(strings.TrimSpace(p), "base64") {
			isBase64 = true
		}
	}
	if !isBase64 {
		s, err := url.PathUnescape(payload)
		return []byte(s), err
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		// Some tools leave out the padding.
		data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("inline source map: %w", err)
	}
	return data, nil
}

// parse parses a map. The library is not hardened against hostile maps
// (a section without a map dereferences nil), so a panic in it is an
// error.
func parse(data []byte) (c *gosourcemap.Consumer, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("malformed source map: %v", p)
		}
	}()
	// No URL: the library would resolve sources against it itself, and
	// name returns them the way this package wants them instead.
	return gosourcemap.Parse("", data)
}

// source looks up a generated position (line 1-based, column 0-based) and
// returns the source as the map names it (with its sourceRoot), line
// (1-based) and column (0-based). A mapping whose indices are out of range
// (the library indexes without checking) is a miss.
func (m *sourceMap) source(line, column int) (src string, l, c int, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			src, l, c, ok = "", 0, 0, false
		}
	}()
	src, _, l, c, ok = m.c.Source(line, column)
	return src, l, c, ok
}

// name is the original script of src, a source as the map names it
// (joined with its sourceRoot): an absolute path, or src itself when it is
// a URL other than file: (webpack://app/./src/x.ts).
func (m *sourceMap) name(src string) string {
	if strings.HasPrefix(src, "file:") {
		if p, err := fileURLPath(src); err == nil {
			return p
		}
		return src
	}
	if hasScheme(src) && !filepath.IsAbs(src) {
		return src
	}
	if filepath.IsAbs(src) || path.IsAbs(src) {
		return filepath.Clean(filepath.FromSlash(src))
	}
	if s, err := url.PathUnescape(src); err == nil {
		src = s
	}
	return filepath.Join(m.dir, filepath.FromSlash(src))
}
