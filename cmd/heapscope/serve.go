package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/web"
)

type serveOptions struct {
	addr        string
	open        bool
	allowRemote bool
	demo        bool
	// noSourceMaps leaves locations as the snapshot names them.
	noSourceMaps bool
}

func serveCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve SNAPSHOT...|DIR | serve --demo",
		Short: "Explore snapshots in a browser: Summary, Comparison, dominators, leak findings",
		Long: `Loads the snapshots (in the order they were taken, when they come from one
process) and serves a web UI: the Summary view with each class's instances, an
object page (properties, retainers, retainer paths, dominator chain, source
location), the dominator tree, the Comparison of any two snapshots and, for two
or more, the leak findings of "heapscope leaks". Its JSON API is in docs/api.md.

A directory written by "heapscope run --save DIR" loads its snapshots in the
order they were taken and shows the hunt's heap usage over time.

Prints the address to open on standard output once the snapshots are analysed.
Heaps hold secrets, so the address carries a random token that every request
needs, and the server listens on the loopback interface only, unless
--allow-remote is given. Ctrl-C stops it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.demo {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.MinimumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			warning, err := checkServeAddr(o.addr, o.allowRemote)
			if err != nil {
				return inputError(err)
			}
			rep := progress.New()
			var graphs []*graph.Graph
			// A directory from "heapscope run --save DIR" stands for its
			// snapshots, and brings the hunt's heap curve.
			srcs, curve, err := load.Args(args)
			if err != nil {
				return loadError(err)
			}
			if o.demo {
				srcs = load.Demo()
			}
			if graphs, err = load.Graphs(srcs, load.Options{Progress: rep}); err != nil {
				return loadError(err)
			}
			rep.Phase("indexing for the browser")
			snaps := make([]web.Snapshot, len(graphs))
			for k, g := range graphs {
				snaps[k] = web.Snapshot{Name: srcs[k].Name, Graph: g}
			}
			srv, err := web.New(snaps, web.Options{Samples: curve.Samples, SnapshotTimes: curve.SnapshotTimes, Sources: sources(o.noSourceMaps || o.demo)})
			rep.Done()
			if err != nil {
				return err
			}
			return serve(cmd, srv, o, warning)
		},
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	cmd.Flags().BoolVar(&o.open, "open", false, "open the address in the default browser")
	cmd.Flags().BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on an address other machines can reach (the heap's contents become readable to anyone with the token)")
	sourceMapsFlag(cmd, &o.noSourceMaps)
	cmd.Flags().BoolVar(&o.demo, "demo", false, "serve the embedded createServer leak series (Node.js 20.3.1) instead of files")
	return cmd
}

// checkServeAddr refuses addresses other machines can reach unless
// allowRemote is set, and then returns a warning to print.
func checkServeAddr(addr string, allowRemote bool) (warning string, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %v", addr, err)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return "", fmt.Errorf("--addr %q: bad port %q", addr, port)
	}
	if host == "localhost" {
		return "", nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return "", nil
	}
	if !allowRemote {
		return "", fmt.Errorf("--addr %q is not a loopback address: other machines could read the heap (it holds secrets); add --allow-remote to serve it anyway", addr)
	}
	return fmt.Sprintf("warning: serving on %s, which other machines may reach: anyone with the address's token can read these heaps, which hold secrets (passwords, tokens, personal data)", addr), nil
}

// serve listens, prints the address and serves until interrupted.
func serve(cmd *cobra.Command, srv *web.Server, o serveOptions, warning string) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return inputError(fmt.Errorf("listening on %s: %w", o.addr, err))
	}
	defer ln.Close()
	srv.SetAddr(ln.Addr(), o.addr) // answer only requests naming this address
	if warning != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "heapscope: %s\n", warning)
	}
	url := serveURL(ln.Addr().(*net.TCPAddr), srv.Token())
	fmt.Fprintln(cmd.OutOrStdout(), url)
	fmt.Fprintln(cmd.ErrOrStderr(), "heapscope: open the address above in a browser; Ctrl-C stops the server")
	if o.open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "heapscope: could not open a browser: %v\n", err)
		}
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- panicerr.Call("web: the server", func() error { return hs.Serve(ln) }) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stopping the server: %w", err)
	}
	return nil
}

// serveURL is the address to open: an unspecified listening address
// (0.0.0.0, ::) is shown as the loopback address, which reaches it too.
func serveURL(a *net.TCPAddr, token string) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s/?token=%s", net.JoinHostPort(host, fmt.Sprint(a.Port)), token)
}

func openBrowser(url string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.Command("open", url)
	case "windows":
		c = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		c = exec.Command("xdg-open", url)
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(c.Args[:1], " "), err)
	}
	panicerr.Go("serve: the browser", c.Wait) // reap it; the browser's exit status does not matter
	return nil
}
