package inspector

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestListeningURL(t *testing.T) {
	for line, want := range map[string]string{
		"Debugger listening on ws://127.0.0.1:41873/9d7f1b5c-8a5e-4f0e-9c57-1f3a3c4e2b10\n": "ws://127.0.0.1:41873/9d7f1b5c-8a5e-4f0e-9c57-1f3a3c4e2b10",
		"Debugger listening on ws://[::1]:9229/abc":                                         "ws://[::1]:9229/abc",
		"For help, see: https://nodejs.org/en/docs/inspector":                               "",
		"Debugger listening on http://x":                                                    "",
	} {
		got, ok := ListeningURL(line)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", line, got, ok, want)
		}
	}
	for _, noise := range []string{"Debugger attached.\n", "For help, see: https://nodejs.org/en/docs/inspector", "Waiting for the debugger to disconnect...", "Debugger ending on ws://127.0.0.1:9229/x"} {
		if !IsNodeInspectorNoise(noise) {
			t.Errorf("%q not recognised", noise)
		}
	}
	if IsNodeInspectorNoise("Error: Debugger attached. is a weird message") {
		t.Error("program output taken for noise")
	}
}

func TestIsLoopback(t *testing.T) {
	ctx := context.Background()
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true, "localhost": true,
		"0.0.0.0": false, "192.0.2.1": false, "example.com": false, "": false, "10.0.0.1": false,
	} {
		if got := IsLoopback(ctx, host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}

// The /json/list answers below are written here, in the shape Node.js
// gives (v20: description, devtoolsFrontendUrl, id, title, type, url,
// webSocketDebuggerUrl).
func TestListRewritesHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/json/list" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`[{"description":"node.js instance","id":"abc","title":"app.js","type":"node","url":"file:///app.js","webSocketDebuggerUrl":"ws://0.0.0.0:9229/abc"}]`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	ws, err := FindTarget(context.Background(), addr)
	if err != nil || ws != "ws://"+addr+"/abc" {
		t.Fatalf("%q %v", ws, err)
	}
}

func TestListRejectsJunk(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", maxListBytes+10)))
	}))
	defer srv.Close()
	if _, err := List(context.Background(), strings.TrimPrefix(srv.URL, "http://")); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := FindTarget(ctx, "127.0.0.1:1"); err == nil {
		t.Fatal("FindTarget on a closed port succeeded")
	}
}

// server runs handle for each message of one WebSocket session.
func server(t *testing.T, handle func(ctx context.Context, c *websocket.Conn, id int64, method string)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m struct {
				ID     int64  `json:"id"`
				Method string `json:"method"`
			}
			json.Unmarshal(data, &m)
			handle(ctx, c, m.ID, m.Method)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/x")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func write(ctx context.Context, c *websocket.Conn, s string) {
	c.Write(ctx, websocket.MessageText, []byte(s))
}

func TestCallsEventsAndErrors(t *testing.T) {
	c := server(t, func(ctx context.Context, ws *websocket.Conn, id int64, method string) {
		switch method {
		case "Runtime.getHeapUsage":
			// An event first, an unknown reply, then the answer.
			write(ctx, ws, `{"method":"X.event","params":{"n":1}}`)
			write(ctx, ws, `{"id":999,"result":{}}`)
			write(ctx, ws, `{"id":`+itoa(id)+`,"result":{"usedSize":123,"totalSize":456}}`)
		case "Runtime.evaluate":
			write(ctx, ws, `{"id":`+itoa(id)+`,"result":{"result":{"type":"object","subtype":"error"},"exceptionDetails":{"text":"Uncaught","exception":{"type":"object","description":"ReferenceError: nope is not defined\n    at <anonymous>:1:1"}}}}`)
		default:
			write(ctx, ws, `{"id":`+itoa(id)+`,"error":{"code":-32601,"message":"'`+method+`' wasn't found"}}`)
		}
	})
	events := make(chan string, 1)
	unsub := c.Subscribe("X.event", func(p json.RawMessage) { events <- string(p) })
	u, err := c.HeapUsage(context.Background())
	if err != nil || u.UsedSize != 123 || u.TotalSize != 456 {
		t.Fatalf("%+v %v", u, err)
	}
	if got := <-events; got != `{"n":1}` {
		t.Errorf("event params %s", got)
	}
	unsub()
	err = c.Evaluate(context.Background(), "nope", nil)
	var ex *ExceptionError
	if !errors.As(err, &ex) || err.Error() != "exception in the target: ReferenceError: nope is not defined" {
		t.Errorf("evaluate: %v", err)
	}
	err = c.Call(context.Background(), "Nope.method", nil, nil)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != -32601 || !strings.Contains(err.Error(), "Nope.method") {
		t.Errorf("protocol error: %v", err)
	}
}

func itoa(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestTimeoutAndLateReply(t *testing.T) {
	late := make(chan int64, 1)
	c := server(t, func(ctx context.Context, ws *websocket.Conn, id int64, method string) {
		if method == "Slow.method" {
			late <- id
			return
		}
		if method == "Fast.method" {
			// Answer the slow call now that its caller gave up, then this one.
			write(ctx, ws, `{"id":`+itoa(<-late)+`,"result":{}}`)
			write(ctx, ws, `{"id":`+itoa(id)+`,"result":{"ok":true}}`)
		}
	})
	c.Timeout = 100 * time.Millisecond
	err := c.Call(context.Background(), "Slow.method", nil, nil)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Method != "Slow.method" {
		t.Fatalf("%v", err)
	}
	var r struct{ OK bool }
	if err := c.Call(context.Background(), "Fast.method", nil, &r); err != nil || !r.OK {
		t.Fatalf("after a late reply: %+v %v", r, err)
	}
}

func TestBadMessagesEndTheSessionCleanly(t *testing.T) {
	for name, msg := range map[string]string{
		"not JSON":        `{"id":`,
		"wrong types":     `{"id":"one","method":7}`,
		"binary garbage":  "\x00\xff\xfe",
		"result mismatch": "",
	} {
		t.Run(name, func(t *testing.T) {
			c := server(t, func(ctx context.Context, ws *websocket.Conn, id int64, method string) {
				if msg == "" {
					write(ctx, ws, `{"id":`+itoa(id)+`,"result":{"usedSize":"lots"}}`)
					return
				}
				write(ctx, ws, msg)
			})
			_, err := c.HeapUsage(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			if msg == "" {
				if !strings.Contains(err.Error(), "malformed result") {
					t.Fatalf("%v", err)
				}
				return
			}
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("%v", err)
			}
			select {
			case <-c.Done():
			case <-time.After(time.Second):
				t.Fatal("session still open")
			}
		})
	}
}

func TestOversizedMessageEndsTheSession(t *testing.T) {
	c := server(t, func(ctx context.Context, ws *websocket.Conn, id int64, method string) {
		big := `{"id":` + itoa(id) + `,"result":{"x":"` + strings.Repeat("a", MaxMessageBytes) + `"}}`
		write(ctx, ws, big)
	})
	// 64 MiB through a WebSocket takes more than the default 10 s under the
	// race detector on a busy machine; the test is about the message's
	// size, not the timeout.
	c.Timeout = 2 * time.Minute
	_, err := c.HeapUsage(context.Background())
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("%v", err)
	}
}

func TestDropFailsPendingCalls(t *testing.T) {
	c := server(t, func(ctx context.Context, ws *websocket.Conn, id int64, method string) {
		ws.Close(websocket.StatusGoingAway, "bye")
	})
	start := time.Now()
	err := c.Call(context.Background(), "Any.method", nil, nil)
	if !errors.Is(err, ErrClosed) || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %s", err, time.Since(start))
	}
	if err := c.Call(context.Background(), "Any.method", nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after close: %v", err)
	}
}
