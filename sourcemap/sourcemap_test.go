package sourcemap

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/heapscope/heapscope/object"
)

// tsDir is the TypeScript pattern: src/*.ts compiled by tsc 5.9.3 to
// dist/*.js with source maps (build.sh).
func tsDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "testdata", "patterns", "typescript"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// at is the text of file from 1-based line and column on, to the end of
// the line.
func at(t *testing.T, file string, line, column int32) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if int(line) > len(lines) || int(column) > len(lines[line-1])+1 {
		t.Fatalf("%s has no %d:%d", file, line, column)
	}
	return lines[line-1][column-1:]
}

// TestTypeScript maps positions of tsc's real output, as V8 records them
// in a heap snapshot of the pattern, to the TypeScript source, and checks
// that the original position is the same construct in the .ts file.
func TestTypeScript(t *testing.T) {
	d := tsDir(t)
	r := New(Options{})
	for _, c := range []struct {
		js           string
		line, column int32
		jsText       string // what V8's position points at in the js
		ts           string
		want         object.Source
		tsText       string // what the original position points at in the ts
	}{
		// The anonymous 'change' listener: V8 records an arrow function
		// at its parameter list.
		{"leak-app.js", 12, 38, "(settings) => {", "leak-app.ts", object.Source{Line: 8, Column: 25},
			"(settings: PricingSettings) => {"},
		// A class's constructor is recorded at its parameters; tsc maps
		// the `constructor` keyword (the nearest mapping before them).
		{"quote.js", 13, 16, "(id, items, settings) {", "quote.ts", object.Source{Line: 15, Column: 3},
			"constructor("},
		// The fixed twin's named listener.
		{"fixed-app.js", 12, 26, "(settings) => {", "fixed-app.ts", object.Source{Line: 14, Column: 22},
			"(settings: PricingSettings) => {"},
	} {
		js := filepath.Join(d, "dist", c.js)
		if got := at(t, js, c.line, c.column); !strings.HasPrefix(got, c.jsText) {
			t.Fatalf("%s:%d:%d is %q, not %q: rebuilt? update the test", c.js, c.line, c.column, got, c.jsText)
		}
		c.want.Script = filepath.Join(d, "src", c.ts)
		got, ok := r.Original(js, c.line, c.column)
		if !ok || got != c.want {
			t.Errorf("Original(%s:%d:%d) = %+v, %v; want %+v", c.js, c.line, c.column, got, ok, c.want)
			continue
		}
		if text := at(t, got.Script, got.Line, got.Column); !strings.HasPrefix(text, c.tsText) {
			t.Errorf("%s:%d:%d is %q, want %q", c.ts, got.Line, got.Column, text, c.tsText)
		}
	}
}

// TestScriptNames: the forms V8 names a script by, the file: URL of an ES
// module and a name relative to the root, find the same map.
func TestScriptNames(t *testing.T) {
	d := tsDir(t)
	js := filepath.Join(d, "dist", "leak-app.js")
	want := object.Source{Script: filepath.Join(d, "src", "leak-app.ts"), Line: 8, Column: 25}
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(js)}).String()
	if runtime.GOOS == "windows" {
		u = "file:///" + filepath.ToSlash(js)
	}
	for _, c := range []struct {
		root, script string
	}{
		{"", u},
		{d, filepath.Join("dist", "leak-app.js")},
		{filepath.Join(d, "dist"), "leak-app.js"},
		{"", js + string(filepath.Separator) + ".." + string(filepath.Separator) + "leak-app.js"},
	} {
		got, ok := New(Options{Root: c.root}).Original(c.script, 12, 38)
		if !ok || got != want {
			t.Errorf("root %q: Original(%q) = %+v, %v; want %+v", c.root, c.script, got, ok, want)
		}
	}
}

// writeScript writes a script of body and a map beside it (name.js and
// name.js.map) and returns the script's path.
func writeScript(t *testing.T, dir, name, body string, sm string) string {
	t.Helper()
	js := filepath.Join(dir, name+".js")
	if err := os.WriteFile(js, []byte(body+"\n//# sourceMappingURL="+name+".js.map\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(js+".map", []byte(sm), 0o644); err != nil {
		t.Fatal(err)
	}
	return js
}

// TestInline: a map in a base64 data: URL (tsc --inlineSourceMap, esbuild,
// bundlers), relative sources resolved against the script's directory;
// and one too long for the first read of the script's end.
func TestInline(t *testing.T) {
	d := tsDir(t)
	js, err := os.ReadFile(filepath.Join(d, "dist", "leak-app.js"))
	if err != nil {
		t.Fatal(err)
	}
	sm, err := os.ReadFile(filepath.Join(d, "dist", "leak-app.js.map"))
	if err != nil {
		t.Fatal(err)
	}
	body := js[:bytes.LastIndex(js, []byte("//# sourceMappingURL="))]
	// sourcesContent makes the map long: its data URL is one line longer
	// than the first read.
	long := bytes.Replace(sm, []byte(`"names":[]`),
		[]byte(`"names":[],"sourcesContent":["`+strings.Repeat("x", 3*tailSize)+`"]`), 1)
	for _, c := range []struct {
		name, url string
	}{
		{"short", "data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(sm)},
		{"unpadded", "data:application/json;base64," + base64.RawStdEncoding.EncodeToString(sm)},
		{"percent", "data:application/json," + url.PathEscape(string(sm))},
		{"long", "data:application/json;base64," + base64.StdEncoding.EncodeToString(long)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "dist"), 0o755); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "dist", "app.js")
			if err := os.WriteFile(script, append(body, "//# sourceMappingURL="+c.url+"\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			want := object.Source{Script: filepath.Join(dir, "src", "leak-app.ts"), Line: 8, Column: 25}
			if got, ok := New(Options{}).Original(script, 12, 38); !ok || got != want {
				t.Errorf("Original = %+v, %v; want %+v", got, ok, want)
			}
		})
	}
}

// TestSources: how a map's sources and sourceRoot name the original
// script.
func TestSources(t *testing.T) {
	dir := t.TempDir()
	maps := filepath.Join(dir, "maps")
	if err := os.Mkdir(maps, 0o755); err != nil {
		t.Fatal(err)
	}
	// "AAAA": generated 1:1 is source 0 at 1:1; ";AACA": 2:1 at 2:1.
	const mappings = `"mappings":"AAAA;AACA"`
	for _, c := range []struct {
		name, sourceRoot, source string
		mapURL                   string // "" : name.js.map beside the script
		want                     string
	}{
		{"beside", "", "../src/a.ts", "", filepath.Join(filepath.Dir(dir), "src", "a.ts")},
		{"root", "src", "a.ts", "", filepath.Join(dir, "src", "a.ts")},
		{"absroot", "/srv/app/", "src/a.ts", "", filepath.FromSlash("/srv/app/src/a.ts")},
		{"abssource", "", "/srv/app/src/a.ts", "", filepath.FromSlash("/srv/app/src/a.ts")},
		{"fileurl", "", "file:///srv/app/src/a.ts", "", filepath.FromSlash("/srv/app/src/a.ts")},
		{"webpack", "", "webpack://shop/./src/a.ts", "", "webpack://shop/./src/a.ts"},
		// A map in another directory: sources are relative to the map.
		{"mapdir", "", "../src/a.ts", "maps/mapdir.js.map", filepath.Join(dir, "src", "a.ts")},
	} {
		t.Run(c.name, func(t *testing.T) {
			sm := `{"version":3,"sourceRoot":"` + c.sourceRoot + `","sources":["` + c.source + `"],"names":[],` + mappings + `}`
			js := writeScript(t, dir, c.name, "a();\nb();", sm)
			if c.mapURL != "" {
				if err := os.WriteFile(js, []byte("a();\nb();\n//# sourceMappingURL="+c.mapURL+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(js+".map", filepath.Join(dir, filepath.FromSlash(c.mapURL))); err != nil {
					t.Fatal(err)
				}
			}
			want := object.Source{Script: c.want, Line: 2, Column: 1}
			if got, ok := New(Options{}).Original(js, 2, 1); !ok || got != want {
				t.Errorf("Original = %+v, %v; want %+v", got, ok, want)
			}
		})
	}
}

// TestMisses: whatever is not a usable map leaves the location unmapped,
// without a panic.
func TestMisses(t *testing.T) {
	dir := t.TempDir()
	good := `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;AACA"}`
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := filepath.Join(dir, "big.js")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: larger than MaxFileSize without writing it.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("\n//# sourceMappingURL=nocomment.js.map\n"), MaxFileSize-100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	write("good.js.map", good)
	if err := os.Mkdir(filepath.Join(dir, "dir.js.map"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, script string
		line, column int32
	}{
		{"runtime", "node:internal/event_target", 2, 1},
		{"unnamed", "", 2, 1},
		{"http", "https://example.com/a.js", 2, 1},
		{"remote file URL", "file://host/srv/a.js", 2, 1},
		{"absent", filepath.Join(dir, "absent.js"), 2, 1},
		{"directory", dir, 2, 1},
		{"no comment", write("nocomment.js", "a();\nb();\n"), 2, 1},
		{"comment after code", write("code.js", "a();\nb(); //# sourceMappingURL=good.js.map\n"), 2, 1},
		{"comment in a string", write("string.js", "a();\nb('\\\n//# sourceMappingURL=good.js.map\\\n');\n"), 2, 1},
		{"too large", big, 2, 1},
		{"map is a directory", write("dirmap.js", "a();\nb();\n//# sourceMappingURL=dir.js.map\n"), 2, 1},
		{"remote map", write("remote.js", "a();\nb();\n//# sourceMappingURL=https://example.com/a.js.map\n"), 2, 1},
		{"map absent", write("nomap.js", "a();\nb();\n//# sourceMappingURL=absent.js.map\n"), 2, 1},
		{"data URL not JSON", write("png.js", "a();\nb();\n//# sourceMappingURL=data:image/png;base64,AAAA\n"), 2, 1},
		{"data URL bad base64", write("b64.js", "a();\nb();\n//# sourceMappingURL=data:application/json;base64,!!!!\n"), 2, 1},
		{"line 0", write("zero.js", "a();\nb();\n//# sourceMappingURL=good.js.map\n"), 0, 1},
		{"column 0", filepath.Join(dir, "zero.js"), 2, 0},
		{"line past the mappings", filepath.Join(dir, "zero.js"), 9, 1},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name, script string
			line, column int32
		}{"device", "/dev/null", 1, 1})
	}
	hostile := map[string]string{
		"not JSON":              `{"version":3,`,
		"version 2":             `{"version":2,"sources":["a.ts"],"mappings":"AAAA"}`,
		"no mappings":           `{"version":3,"sources":["a.ts"],"mappings":""}`,
		"source out of range":   `{"version":3,"sources":["a.ts"],"mappings":"AAAA;AEAA"}`,
		"negative source":       `{"version":3,"sources":["a.ts"],"mappings":"AAAA;ADAA"}`,
		"no sources":            `{"version":3,"sources":[],"mappings":"AAAA;AACA"}`,
		"one-field segments":    `{"version":3,"mappings":"A;A"}`,
		"section without a map": `{"version":3,"sections":[{"offset":{"line":0,"column":0}}]}`,
		"truncated VLQ":         `{"version":3,"sources":["a.ts"],"mappings":"AAAA;AAg"}`,
		"huge VLQ":              `{"version":3,"sources":["a.ts"],"mappings":"AAAA;A//////////////////////A"}`,
	}
	for name, sm := range hostile {
		js := writeScript(t, dir, strings.ReplaceAll(name, " ", "-"), "a();\nb();", sm)
		cases = append(cases, struct {
			name, script string
			line, column int32
		}{name, js, 2, 1})
	}
	r := New(Options{Root: dir})
	for _, c := range cases {
		if got, ok := r.Original(c.script, c.line, c.column); ok {
			t.Errorf("%s: Original(%q, %d, %d) = %+v, want a miss", c.name, c.script, c.line, c.column, got)
		}
	}
	// The good map itself maps (the misses are not all for one reason).
	js := write("fine.js", "a();\nb();\n//# sourceMappingURL=good.js.map\n")
	want := object.Source{Script: filepath.Join(dir, "a.ts"), Line: 2, Column: 1}
	if got, ok := r.Original(js, 2, 1); !ok || got != want {
		t.Errorf("Original(fine.js) = %+v, %v; want %+v", got, ok, want)
	}
}

// TestCache: a script's map is read once, a miss too, and concurrent
// lookups share it.
func TestCache(t *testing.T) {
	dir := t.TempDir()
	js := writeScript(t, dir, "app", "a();\nb();", `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;AACA"}`)
	absent := filepath.Join(dir, "later.js")
	r := New(Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := r.Original(js, 2, 1); !ok {
				t.Error("miss")
			}
			r.Original(absent, 1, 1)
		})
	}
	wg.Wait()
	if err := os.Remove(js + ".map"); err != nil {
		t.Fatal(err)
	}
	writeScript(t, dir, "later", "a();\nb();", `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;AACA"}`)
	if _, ok := r.Original(js, 2, 1); !ok {
		t.Error("the map was read again")
	}
	if got, ok := r.Original(absent, 2, 1); ok {
		t.Errorf("the miss was not remembered: %+v", got)
	}
}

// TestFindMappingURL: the comment is found from the end of the script.
func TestFindMappingURL(t *testing.T) {
	for _, c := range []struct {
		tail    string
		atStart bool
		ref     string
		whole   bool
	}{
		{"a();\n//# sourceMappingURL=a.js.map\n", false, "a.js.map", true},
		{"a();\n//# sourceMappingURL=a.js.map", false, "a.js.map", true},
		{"//# sourceMappingURL=a.js.map", true, "a.js.map", true},
		{"a();\n  //@ sourceMappingURL=old.map\r\n\n", false, "old.map", true},
		{"a();\n//#sourceMappingURL=a.map\n", false, "a.map", true},
		// The last comment wins; a debugId comment may follow it.
		{"//# sourceMappingURL=a.map\n//# sourceMappingURL=b.map\n//# debugId=1\n", true, "b.map", true},
		// Not the script's: before code, after code, in a string.
		{"//# sourceMappingURL=a.map\nx = 1;\n", true, "", true},
		{"x = 1; //# sourceMappingURL=a.map\n", true, "", true},
		{"x = '\\\n//# sourceMappingURL=a.map\\\n';\n", true, "", true},
		{"a();\nb();\n", false, "", true},
		{"x\na();\n//# sourceMappingURL=\n", false, "", true},
		{"x\na();\n//# sourceMappingURL=a b\n", false, "", true},
		{"x\na();\n// sourceMappingURL=a.map\n", false, "", true},
		// The comment's line may start before the tail.
		{"# sourceMappingURL=data:application/json;base64,AAAA\n", false, "", false},
		{"AAAA\n\n", false, "", false},
		{"xxxxxxxx", false, "", false},
		{"xxxxxxxx", true, "", true},
		{"", true, "", true},
	} {
		ref, whole := findMappingURL([]byte(c.tail), c.atStart)
		if ref != c.ref || whole != c.whole {
			t.Errorf("findMappingURL(%q, %v) = %q, %v; want %q, %v", c.tail, c.atStart, ref, whole, c.ref, c.whole)
		}
	}
}

// FuzzOriginal: no map, however hostile, makes Original panic, and what it
// returns is a valid position.
func FuzzOriginal(f *testing.F) {
	d := tsDir(f)
	for _, name := range []string{"leak-app.js.map", "quote.js.map"} {
		b, err := os.ReadFile(filepath.Join(d, "dist", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int32(12), int32(38))
	}
	f.Add([]byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0}}]}`), int32(1), int32(1))
	f.Add([]byte(`{"version":3,"sections":[{"offset":{"line":1,"column":4},"map":{"version":3,"sources":["a.ts"],"mappings":"AAAA"}}]}`), int32(2), int32(5))
	f.Add([]byte(`{"version":3,"sources":[],"mappings":"A;AEAA,C"}`), int32(2), int32(1))
	dir := f.TempDir()
	js := filepath.Join(dir, "app.js")
	if err := os.WriteFile(js, []byte("a();\n//# sourceMappingURL=app.js.map\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sm []byte, line, column int32) {
		if err := os.WriteFile(js+".map", sm, 0o644); err != nil {
			t.Fatal(err)
		}
		got, ok := New(Options{}).Original(js, line, column)
		if ok && (got.Line < 1 || got.Column < 1 || got.Script == "") {
			t.Errorf("Original(%d, %d) = %+v", line, column, got)
		}
	})
}

// FuzzScriptEnd: finding the comment in any end of a script, and decoding
// an inline map, do not panic, and the URL found is one token of a
// comment line of the tail.
func FuzzScriptEnd(f *testing.F) {
	f.Add([]byte("a();\n//# sourceMappingURL=a.js.map\n"), false)
	f.Add([]byte("//# sourceMappingURL=data:application/json;base64,e30=\n//# debugId=1\n"), true)
	f.Add([]byte("x\n  //@ sourceMappingURL=data:,%7B%7D\r\n"), false)
	f.Fuzz(func(t *testing.T, tail []byte, atStart bool) {
		ref, whole := findMappingURL(tail, atStart)
		if ref == "" {
			return
		}
		if !whole || strings.ContainsAny(ref, " \t\r\n\v\f") || !bytes.Contains(tail, []byte("sourceMappingURL="+ref)) {
			t.Fatalf("findMappingURL(%q, %v) = %q, %v", tail, atStart, ref, whole)
		}
		if strings.HasPrefix(ref, "data:") {
			decodeDataURL(ref)
		}
	})
}
