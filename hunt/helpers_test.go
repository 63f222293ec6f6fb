package hunt

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNodeFlags(t *testing.T) {
	for _, c := range []struct{ args, want []string }{
		{[]string{"app.js", "--port", "3"}, []string{}},
		{[]string{"--max-old-space-size=100", "-r", "dotenv/config", "app.js", "--inspect"}, []string{"--max-old-space-size=100", "-r", "dotenv/config"}},
		{[]string{"-e", "code", "arg"}, []string{"-e", "code"}},
		{[]string{"--expose-gc"}, []string{"--expose-gc"}},
	} {
		if got := nodeFlags(c.args); !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("nodeFlags(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestNeedsExposeGC(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	loop := filepath.Join("..", "testdata", "live", "createserver-loop.js")
	for args, want := range map[string]bool{
		loop:                              true,
		"--max-old-space-size=64 " + loop: true,
		write("a.js", "if (globalThis.gc) globalThis.gc()"):            true,
		write("b.js", "gc();"):                                         true,
		write("c.js", "db.gc(); const gcx = 1; // nothing to collect"): false,
		"-e global.gc()":                 true,
		"-e console.log(1)":              false,
		filepath.Join(dir, "missing.js"): false,
	} {
		if got := NeedsExposeGC(strings.SplitN(args, " ", 2)); got != want {
			t.Errorf("NeedsExposeGC(%s) = %v", args, got)
		}
	}
}

func TestInspectorAddrAndSignals(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if got := inspectorAddr(cmd.Process.Pid); got != DefaultInspectorAddr {
		t.Errorf("inspectorAddr(sleep) = %s", got)
	}
	if caught, err := handlesSIGUSR1(cmd.Process.Pid); err != nil || caught {
		t.Errorf("sleep handles SIGUSR1: %v %v", caught, err)
	}
	// The Go runtime catches every signal it can.
	if caught, err := handlesSIGUSR1(os.Getpid()); err != nil || !caught {
		t.Errorf("this process does not handle SIGUSR1: %v %v", caught, err)
	}
}

func TestInspectorAddrFrom(t *testing.T) {
	for _, c := range []struct {
		argv        []string
		nodeOptions string
		want        string
	}{
		{[]string{"node", "app.js"}, "", "127.0.0.1:9229"},
		{[]string{"node", "--inspect-port=4321", "app.js"}, "", "127.0.0.1:4321"},
		{[]string{"node", "--inspect-port=127.0.0.2:4321", "app.js", "--inspect=9"}, "", "127.0.0.2:4321"},
		{[]string{"node", "app.js"}, "--max-old-space-size=100 --inspect=0.0.0.0:7000", "0.0.0.0:7000"},
		{[]string{"node", "--inspect=[::1]:7001", "app.js"}, "--inspect-port=7000", "[::1]:7001"},
	} {
		if got := inspectorAddrFrom(c.argv, c.nodeOptions); got != c.want {
			t.Errorf("inspectorAddrFrom(%q, %q) = %s, want %s", c.argv, c.nodeOptions, got, c.want)
		}
	}
}

func TestJSString(t *testing.T) {
	if got := jsString("/tmp/a'b\"c\u2028.heapsnapshot"); got != `"/tmp/a'b\"c\u2028.heapsnapshot"` {
		t.Errorf("%s", got)
	}
}

// attach by PID signals only Node.js: a program that catches SIGUSR1 for
// its own ends (a shell trap here, a daemon reopening its logs) is refused
// without a signal; a binary named node is taken for Node.js.
func TestAttachSignalsOnlyNode(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "got-usr1")
	cmd := exec.Command("bash", "-c", `trap 'touch "$0"' USR1; while :; do sleep 0.1; done`, marker)
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if caught, err := handlesSIGUSR1(cmd.Process.Pid); err == nil && caught {
			break
		}
		if time.Now().After(deadline) {
			t.Skip("bash did not install its SIGUSR1 trap")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := Attach(context.Background(), strconv.Itoa(cmd.Process.Pid), AttachOptions{Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "not Node.js") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("attach to a bash that traps SIGUSR1: %v, want a refusal naming --force", err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("bash got SIGUSR1")
	}

	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	node := filepath.Join(dir, "node")
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(node, b, 0o755); err != nil {
		t.Fatal(err)
	}
	named := exec.Command(node, "30")
	if err := named.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { named.Process.Kill(); named.Wait() }()
	if prog, ok := nodeProgram(named.Process.Pid); !ok {
		t.Errorf("a program named node: %s not taken for Node.js", prog)
	}
	if prog, ok := nodeProgram(cmd.Process.Pid); ok {
		t.Errorf("bash (%s) taken for Node.js", prog)
	}
}
