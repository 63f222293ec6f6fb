package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/report"
)

// A copied address holds no token: the page it opens without one says how
// to reopen it, and the UI can ask for a link that carries it.
func TestCopiedLinkReopens(t *testing.T) {
	ts := newTestServer(t, 1)
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET / without the token: %d", res.StatusCode)
	}
	for _, want := range []string{"needs the token printed by heapscope serve", "?token=TOKEN", "Copy link"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the 401 page does not say %q:\n%s", want, page)
		}
	}
	if strings.Contains(string(page), testToken) {
		t.Error("the 401 page shows the token")
	}
	var link struct{ Token string }
	mustGet(t, ts, "/api/link", &link)
	if link.Token != testToken {
		t.Errorf("/api/link: %q", link.Token)
	}
	res, err = http.Get(ts.URL + "/api/link")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("/api/link without the token: %d", res.StatusCode)
	}
	// The link the UI builds (origin, path, ?token=, then the view's #)
	// opens the page in a browser without the cookie: the token becomes a
	// cookie and the redirect drops it.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	res, err = c.Get(ts.URL + "/?token=" + link.Token + "#/leaks")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.RawQuery != "" {
		t.Errorf("the copied link: %d at %s", res.StatusCode, res.Request.URL)
	}
}

func TestSamplesMarkSnapshots(t *testing.T) {
	snaps := loadSeries(t)
	samples := []report.HeapSample{{TimeMillis: 0, UsedBytes: 1 << 20}, {TimeMillis: 1000, UsedBytes: 2 << 20}, {TimeMillis: 2000, UsedBytes: 3 << 20}}
	srv, err := New(snaps, Options{Token: testToken, Samples: samples, SnapshotTimes: []int64{100, -1, 1900}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	var out struct {
		Samples   []report.HeapSample
		Snapshots []SnapshotTime
	}
	mustGet(t, ts, "/api/samples", &out)
	if len(out.Samples) != 3 || len(out.Snapshots) != 2 {
		t.Fatalf("samples %+v", out)
	}
	if s := out.Snapshots; s[0].Index != 0 || s[0].TimeMillis != 100 || s[1].Index != 2 || s[1].TimeMillis != 1900 || !strings.Contains(s[1].Name, "__2000") {
		t.Errorf("snapshot times %+v (the unknown one left out)", s)
	}
	// Without times: none, as an empty list.
	ts = newTestServer(t, 3)
	var none map[string][]any
	mustGet(t, ts, "/api/samples", &none)
	if s, ok := none["snapshots"]; !ok || len(s) != 0 {
		t.Errorf("no times: %v", none)
	}
}
