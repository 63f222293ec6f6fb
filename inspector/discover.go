package inspector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// listeningPrefix starts the line Node.js writes to standard error when its
// inspector opens: "Debugger listening on ws://127.0.0.1:PORT/UUID".
const listeningPrefix = "Debugger listening on "

// ListeningURL returns the WebSocket URL announced by line, one line of a
// Node.js process's standard error, and whether it was such a line.
func ListeningURL(line string) (string, bool) {
	i := strings.Index(line, listeningPrefix)
	if i < 0 {
		return "", false
	}
	u := strings.TrimSpace(line[i+len(listeningPrefix):])
	if !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
		return "", false
	}
	if j := strings.IndexAny(u, " \t"); j >= 0 {
		u = u[:j]
	}
	return u, true
}

// IsNodeInspectorNoise reports whether line is one of the messages Node.js
// prints about its inspector (opened, attached, help URL), which a tool that
// opens the inspector itself should not pass on to its user.
func IsNodeInspectorNoise(line string) bool {
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, listeningPrefix),
		line == "For help, see: https://nodejs.org/en/docs/inspector",
		line == "Debugger attached.",
		line == "Debugger ending on " || strings.HasPrefix(line, "Debugger ending on "),
		line == "Waiting for the debugger to disconnect...":
		return true
	}
	return false
}

// Target is one entry of an inspector's /json/list.
type Target struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	Title                string `json:"title"`
	URL                  string `json:"url"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// maxListBytes bounds the /json/list answer.
const maxListBytes = 1 << 20

// List returns the targets of the inspector listening on hostport. The
// WebSocket URLs are rewritten to hostport, as DevTools does, since the
// inspector may name an address it was bound to rather than the one that
// reached it.
func List(ctx context.Context, hostport string) ([]Target, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostport+"/json/list", nil)
	if err != nil {
		return nil, fmt.Errorf("inspector at %s: %w", hostport, err)
	}
	resp, err := (&http.Client{Timeout: DefaultTimeout}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("inspector at %s: %w", hostport, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inspector at %s: /json/list answered %s", hostport, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("inspector at %s: read /json/list: %w", hostport, err)
	}
	if len(body) > maxListBytes {
		return nil, fmt.Errorf("inspector at %s: /json/list is larger than %d bytes", hostport, maxListBytes)
	}
	var ts []Target
	if err := json.Unmarshal(body, &ts); err != nil {
		return nil, fmt.Errorf("inspector at %s: /json/list is not a target list: %w", hostport, err)
	}
	for k := range ts {
		u, err := url.Parse(ts[k].WebSocketDebuggerURL)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
			ts[k].WebSocketDebuggerURL = ""
			continue
		}
		u.Host = hostport
		ts[k].WebSocketDebuggerURL = u.String()
	}
	return ts, nil
}

// FindTarget returns the WebSocket URL of the first target of the inspector
// on hostport, retrying until ctx ends while nothing listens there yet (a
// process that was just sent SIGUSR1 needs a moment to open it).
func FindTarget(ctx context.Context, hostport string) (string, error) {
	var last error
	for {
		ts, err := List(ctx, hostport)
		if err == nil {
			for _, t := range ts {
				if t.WebSocketDebuggerURL != "" {
					return t.WebSocketDebuggerURL, nil
				}
			}
			err = fmt.Errorf("inspector at %s lists no target", hostport)
		}
		last = err
		select {
		case <-ctx.Done():
			return "", last
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// IsLoopback reports whether host (a name or an address, without port) is a
// loopback address. "localhost" counts when every address it resolves to is
// a loopback address.
func IsLoopback(ctx context.Context, host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if !strings.EqualFold(host, "localhost") && !strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return false
		}
	}
	return true
}
