package object

import (
	"encoding/json"
	"testing"
)

// Each detail gives its front end exactly its JSON fields.
func TestRefJSON(t *testing.T) {
	r := Ref{Class: "Server", Name: "Server", ID: 7, Self: 1, Retained: 2}
	for _, c := range []struct {
		r    Ref
		want string
	}{
		{r, `{"class":"Server","name":"Server","id":7,"self":1,"retained":2}`},
		{withReach(r, 0), `{"class":"Server","name":"Server","id":7,"self":1,"retained":2,"distance":0}`},
		{withLinks(withReach(r, 3)), `{"class":"Server","name":"Server","id":7,"self":1,"retained":2,"distance":3,"type":"object","edges":0,"dominated":0}`},
	} {
		b, err := json.Marshal(c.r)
		if err != nil || string(b) != c.want {
			t.Errorf("got %s, %v\nwant %s", b, err, c.want)
		}
	}
	h, _ := json.Marshal(Hop{Edge: ".x", Ref: r})
	if want := `{"edge":".x","class":"Server","name":"Server","id":7,"self":1,"retained":2}`; string(h) != want {
		t.Errorf("hop: got %s, want %s", h, want)
	}
}

func withReach(r Ref, d int32) Ref { r.Reach = &Reach{Distance: d}; return r }
func withLinks(r Ref) Ref          { r.Links = &Links{Type: "object"}; return r }

// A location names its function only when asked to.
func TestLocationJSON(t *testing.T) {
	l := Location{ScriptID: 3, Script: "a.js", Line: 1, Column: 2}
	for _, c := range []struct {
		l    Location
		want string
	}{
		{l, `{"script":"a.js","scriptId":3,"line":1,"column":2}`},
		{l.Named(""), `{"name":"","script":"a.js","scriptId":3,"line":1,"column":2}`},
	} {
		b, err := json.Marshal(c.l)
		if err != nil || string(b) != c.want {
			t.Errorf("got %s, %v\nwant %s", b, err, c.want)
		}
	}
	if got := Cut("añb", 2); got != "a…" {
		t.Errorf("Cut split a character: %q", got)
	}
}

func TestEdgeShape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[312]", "[n]"},
		{"{12}", "{n}"},
		{".next", ".next"},
		{".item1", ".item1"},
		{`["a 1"]`, `["a 1"]`},
		{"[[weak]]", "[[weak]]"},
		{"{3 / part of key (Object @123) -> value (Object @45) pair in WeakMap (table @67)}",
			"{n / part of key (Object @n) -> value (Object @n) pair in WeakMap (table @n)}"},
		{"", ""},
	} {
		if got := EdgeShape(c.in); got != c.want {
			t.Errorf("EdgeShape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChainAlike(t *testing.T) {
	c := Chain{
		{Edge: "[0]", Ref: Ref{Class: "Array", Name: "Array"}},
		{Edge: "[7]", Ref: Ref{Class: "Array", Name: "Array"}},
		{Edge: ".next", Ref: Ref{Class: "Listener", Name: "a"}},
		{Edge: ".next", Ref: Ref{Class: "Listener", Name: "b"}},
		{Edge: ".next", Ref: Ref{Class: "Other", Name: "b"}},
	}
	for _, x := range []struct {
		j, k int
		want bool
	}{{0, 1, true}, {2, 3, true}, {1, 2, false}, {3, 4, false}} {
		if got := c.Alike(x.j, x.k); got != x.want {
			t.Errorf("Alike(%d, %d) = %v, want %v", x.j, x.k, got, x.want)
		}
	}
}

func TestOriginOf(t *testing.T) {
	for _, c := range []struct {
		script string
		origin Origin
		pkg    string
	}{
		{"/app/server.js", OriginApp, ""},
		{"file:///app/src/main.mjs", OriginApp, ""},
		{`C:\app\server.js`, OriginApp, ""},
		{"https://example.com/static/app.js", OriginApp, ""},
		{"/app/node_modules/express/lib/router/index.js", OriginDependency, "express"},
		{"/app/node_modules/@scope/pkg/dist/index.js", OriginDependency, "@scope/pkg"},
		{"/app/node_modules/a/node_modules/b/index.js", OriginDependency, "b"},
		{`C:\app\node_modules\debug\src\node.js`, OriginDependency, "debug"},
		{"node:events", OriginRuntime, ""},
		{"node:internal/timers", OriginRuntime, ""},
		{"internal/timers", OriginRuntime, ""},
		{"events", OriginRuntime, ""},
		{"", OriginRuntime, ""},
		{"extensions::SafeBuiltins", OriginRuntime, ""},
		{"chrome-extension://abc/content.js", OriginRuntime, ""},
	} {
		o, pkg := OriginOf(c.script)
		if o != c.origin || pkg != c.pkg {
			t.Errorf("OriginOf(%q) = %s, %q; want %s, %q", c.script, o, pkg, c.origin, c.pkg)
		}
	}
}
