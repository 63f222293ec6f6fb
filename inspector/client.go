// Package inspector is a small client for the V8 inspector protocol (the
// Chrome DevTools Protocol as Node.js speaks it): a WebSocket transport, the
// typed HeapProfiler and Runtime messages heapscope needs, event
// subscriptions, and discovery of a process's WebSocket URL.
//
// Every call takes a context and is bounded by a timeout (Client.Timeout when
// the context has none), so a target that never answers cannot hang the
// caller. Messages are bounded in size (MaxMessageBytes); a malformed message
// from the target ends the session with an error, never a panic.
//
// Events must be subscribed before the command that triggers them:
// HeapProfiler.takeHeapSnapshot sends all its addHeapSnapshotChunk events
// before its own response.
package inspector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/heapscope/heapscope/internal/panicerr"
)

// MaxMessageBytes bounds one protocol message. Node.js sends heap snapshot
// chunks of about 100 KB (the library default of 32 KB would end the session
// on the first chunk); everything else heapscope asks for is small.
const MaxMessageBytes = 64 << 20

// DefaultTimeout bounds a call whose context has no deadline.
const DefaultTimeout = 10 * time.Second

// ErrClosed is returned by calls made after the session ended.
var ErrClosed = errors.New("inspector session closed")

// Error is an error answered by the target.
type Error struct {
	Method  string
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Data is usually a string; kept raw so that any shape is accepted.
	Data json.RawMessage `json:"data"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s (%d)", e.Method, e.Message, e.Code)
	var data string
	if len(e.Data) > 0 && json.Unmarshal(e.Data, &data) != nil {
		data = string(e.Data)
	}
	if data != "" {
		if len(data) > 200 {
			data = data[:200] + "…"
		}
		s += ": " + data
	}
	return s
}

// TimeoutError is returned when the target did not answer a call in time.
type TimeoutError struct {
	Method string
	After  time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: no answer from the target within %s", e.Method, e.After.Round(time.Millisecond))
}

// Timeout reports true, so that a TimeoutError satisfies net.Error-style checks.
func (e *TimeoutError) Timeout() bool { return true }

// Client is one inspector session over a WebSocket.
type Client struct {
	// Timeout bounds calls whose context has no deadline (DefaultTimeout if 0).
	Timeout time.Duration

	conn *websocket.Conn
	url  string

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan reply
	subs    map[string]map[int]func(json.RawMessage)
	nextSub int
	err     error // why the session ended; set once

	done chan struct{}
}

type reply struct {
	result json.RawMessage
	err    *Error
}

// envelope is any message from the target: a reply (ID set) or an event
// (Method set).
type envelope struct {
	ID     int64           `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
}

// Dial opens a session on the WebSocket URL of one target (ws://host:port/ID).
// The caller checks the address is allowed (see CheckLoopback) before dialing.
func Dial(ctx context.Context, wsURL string) (*Client, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
		HTTPClient: &http.Client{Timeout: DefaultTimeout},
		// Node.js does not negotiate compression; say so explicitly.
		CompressionMode: websocket.CompressionDisabled,
	})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("connect to inspector %s: %w", wsURL, err)
	}
	conn.SetReadLimit(MaxMessageBytes)
	c := &Client{
		conn:    conn,
		url:     wsURL,
		pending: map[int64]chan reply{},
		subs:    map[string]map[int]func(json.RawMessage){},
		done:    make(chan struct{}),
	}
	go func() {
		if err := panicerr.Call("inspector: reading messages", func() error { c.readLoop(); return nil }); err != nil {
			c.fail(err)
			c.conn.CloseNow()
		}
	}()
	return c, nil
}

// URL is the WebSocket URL the client is connected to.
func (c *Client) URL() string { return c.url }

// Done is closed when the session ends (Close, or the target went away).
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the session ended, nil while it is open.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the session. It does not affect the target process.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return c.conn.Close(websocket.StatusNormalClosure, "")
}

// fail ends the session with err (the first error wins) and releases every
// waiting call.
func (c *Client) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
	c.pending = map[int64]chan reply{}
}

func (c *Client) readLoop() {
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			if websocket.CloseStatus(err) != -1 {
				err = fmt.Errorf("%w: the target closed the connection (%v)", ErrClosed, err)
			} else {
				err = fmt.Errorf("%w: %v", ErrClosed, err)
			}
			c.fail(err)
			c.conn.CloseNow()
			return
		}
		var m envelope
		if err := json.Unmarshal(data, &m); err != nil {
			c.fail(fmt.Errorf("%w: malformed message from the target (%d bytes): %v", ErrClosed, len(data), err))
			c.conn.CloseNow()
			return
		}
		if m.Method != "" && m.ID == 0 {
			c.mu.Lock()
			hs := make([]func(json.RawMessage), 0, len(c.subs[m.Method]))
			for _, h := range c.subs[m.Method] {
				hs = append(hs, h)
			}
			c.mu.Unlock()
			for _, h := range hs {
				h(m.Params)
			}
			continue
		}
		c.mu.Lock()
		ch := c.pending[m.ID]
		delete(c.pending, m.ID)
		c.mu.Unlock()
		if ch != nil { // a reply to a call that gave up is dropped
			ch <- reply{result: m.Result, err: m.Error}
		}
	}
}

// Subscribe calls handler with the params of every event named method until
// the returned function is called. Handlers run on the session's read
// goroutine, in the order the events arrive: a handler that blocks holds back
// every later message (which is how snapshot chunks get back-pressure), and a
// handler must never make calls on the same client.
func (c *Client) Subscribe(method string, handler func(params json.RawMessage)) (unsubscribe func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextSub++
	id := c.nextSub
	if c.subs[method] == nil {
		c.subs[method] = map[int]func(json.RawMessage){}
	}
	c.subs[method][id] = handler
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs[method], id)
	}
}

// Call sends method with params (nil for none) and decodes the answer into
// result (nil to ignore it). It returns a *TimeoutError if the target does not
// answer before ctx's deadline (or Client.Timeout), an *Error if it answers
// with an error, and an error wrapping ErrClosed if the session ends first.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if params == nil {
		params = struct{}{}
	}
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}

	msg, err := json.Marshal(struct {
		ID     int64  `json:"id"`
		Method string `json:"method"`
		Params any    `json:"params"`
	}{id, method, params})
	if err != nil {
		forget()
		return fmt.Errorf("%s: encode params: %w", method, err)
	}
	if err := c.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		forget()
		if ctx.Err() != nil {
			return &TimeoutError{Method: method, After: timeout}
		}
		if e := c.Err(); e != nil {
			return fmt.Errorf("%s: %w", method, e)
		}
		return fmt.Errorf("%s: send: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			r.err.Method = method
			return r.err
		}
		if result != nil {
			if len(r.result) == 0 {
				return fmt.Errorf("%s: the target answered with no result", method)
			}
			if err := json.Unmarshal(r.result, result); err != nil {
				return fmt.Errorf("%s: malformed result: %w", method, err)
			}
		}
		return nil
	case <-c.done:
		forget()
		return fmt.Errorf("%s: %w", method, c.Err())
	case <-ctx.Done():
		forget()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &TimeoutError{Method: method, After: timeout}
		}
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}
