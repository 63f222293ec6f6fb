package main

// The smaller cases of issue 13, item 6, through the binary.

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoneSurrogates: two classes whose names differ only in their lone
// surrogates print as one U+FFFD each, in text and JSON alike, and keep
// distinct keys in the JSON.
func TestLoneSurrogates(t *testing.T) {
	snap := tinySnapshotText(t)
	for _, r := range [][2]string{
		{`"Foo"`, `"X\uD800"`}, {`"hello"`, `"X\uD801"`},
		// Node 2 becomes an object too, and node 1 loses its location, so
		// that both classes are keyed by name alone.
		{",2,2,5,16,0,0,0]", ",3,2,5,16,0,0,0]"}, {`"locations":[7,1,2,3]`, `"locations":[]`},
	} {
		if strings.Count(snap, r[0]) != 1 {
			t.Fatalf("mutation %q does not apply", r[0])
		}
		snap = strings.Replace(snap, r[0], r[1], 1)
	}
	path := filepath.Join(t.TempDir(), "surrogates.heapsnapshot")
	if err := os.WriteFile(path, []byte(snap), 0o600); err != nil {
		t.Fatal(err)
	}
	text := runBadInput(t, nil, "summary", path)
	if text.code != 0 || strings.Count(text.stdout, "X\uFFFD\n") != 2 {
		t.Errorf("text: exit %d, stdout %q; want two rows named X\uFFFD", text.code, text.stdout)
	}
	js := runBadInput(t, nil, "summary", "--format", "json", path)
	var out struct {
		Classes []struct{ Key, Name string }
	}
	if err := json.Unmarshal([]byte(js.stdout), &out); err != nil {
		t.Fatalf("json: %v (exit %d, stderr %q)", err, js.code, js.stderr)
	}
	keys := map[string]bool{}
	for _, c := range out.Classes {
		if strings.HasPrefix(c.Name, "X") {
			if c.Name != "X\uFFFD" {
				t.Errorf("json: name %q, want %q", c.Name, "X\uFFFD")
			}
			keys[c.Key] = true
		}
	}
	if len(keys) != 2 {
		t.Errorf("json: keys %v, want two distinct ones", keys)
	}
}

// TestBunSnapshot: a JavaScriptCore snapshot (Bun.generateHeapSnapshot(),
// SYNTHETIC here) is named as such.
func TestBunSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bun.heapsnapshot")
	bun := `{"version":2,"type":"Inspector","nodes":[0,0,0,0],"nodeClassNames":["<root>"],"edges":[],"edgeTypes":["Internal","Property","Index","Variable"],"edgeNames":[]}`
	if err := os.WriteFile(path, []byte(bun), 0o600); err != nil {
		t.Fatal(err)
	}
	checkBadInputExit(t, runBadInput(t, nil, "summary", path), "header", "not a V8 heap snapshot (this looks like a JavaScriptCore/Bun snapshot")
}

// TestAttachClosedPort: attaching to an address where nothing listens
// says "connection refused" at once, not after the 10 s wait for an
// inspector that is opening.
func TestAttachClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	r := runBadInput(t, nil, "attach", addr)
	took := time.Since(start)
	line, ok := strings.CutSuffix(r.stderr, "\n")
	if r.code == 0 || !ok || strings.Contains(line, "\n") || !strings.Contains(line, "connection refused") {
		t.Errorf("exit %d, stderr %q; want one line saying connection refused", r.code, r.stderr)
	}
	if took > 3*time.Second {
		t.Errorf("took %v, want at once", took)
	}
}
