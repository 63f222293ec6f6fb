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
