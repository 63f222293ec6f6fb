package main

import (
	"strings"
	"testing"
)

// TestErrorsSayWhatToDo runs the binary on a first-time user's mistakes:
// each must exit with code 2 and print exactly this one line.
func TestErrorsSayWhatToDo(t *testing.T) {
	corpus, f := leakCorpus, leakCorpus
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"leaks", corpus}, "leaks needs two or more snapshots of one process, oldest first, got 1; usage: heapscope leaks S1 S2 [S3 ...]"},
		{[]string{"summary"}, `summary needs one snapshot file ("-" for stdin), got 0; usage: heapscope summary SNAPSHOT`},
		{[]string{"diff", corpus}, "diff needs two snapshots of one process, the earlier first, got 1; usage: heapscope diff BASE TARGET"},
		{[]string{"retainers"}, `retainers needs one snapshot file ("-" for stdin), and --id or --class, got 0; usage: heapscope retainers SNAPSHOT (--id ID | --class NAME)`},
		{[]string{"dominators", corpus, corpus}, `dominators needs one snapshot file ("-" for stdin), got 2; usage: heapscope dominators SNAPSHOT [--id ID]`},
		{[]string{"demo", "x"}, "demo takes no arguments: its snapshots are in the binary, got 1; usage: heapscope demo"},
		{[]string{"version", "x"}, "version takes no arguments, got 1; usage: heapscope version"},
		{[]string{"attach"}, "attach needs one process: its pid, the inspector's host:port or a ws:// URL, got 0; usage: heapscope attach (PID | host:port | ws://…)"},
		{[]string{"serve"}, "serve needs snapshot files or a directory saved by run --save, or --demo and nothing else, got 0; usage: heapscope serve SNAPSHOT...|DIR | serve --demo"},
		{[]string{"summary", "--top=abc", corpus}, `--top takes a whole number (e.g. --top=20), not "abc"`},
		{[]string{"summary", corpus, "--top"}, "--top needs a value: a whole number (e.g. --top=20)"},
		{[]string{"attach", "--attach-timeout=soon", "1"}, `--attach-timeout takes a duration such as 500ms, 30s or 2m (e.g. --attach-timeout=30s), not "soon"`},
		{[]string{"summary", "--tpo=3", corpus}, "summary has no flag --tpo; did you mean --top?"},
		{[]string{"leaks", "--jsn", corpus, corpus}, "leaks has no flag --jsn; did you mean --json?"},
		{[]string{"run", "--durration", "5s", "--", "node", "app.js"}, "run has no flag --durration; did you mean --duration?"},
		{[]string{"diff", "--quickly", corpus, corpus}, "diff has no flag --quickly (see heapscope diff --help)"},
		{[]string{"sumary", corpus}, `unknown command "sumary" for "heapscope"; did you mean summary?`},
		{[]string{"--bogus"}, "heapscope has no flag --bogus (see heapscope --help)"},
		{[]string{"summary", "-q", corpus}, "summary has no flag -q (see heapscope summary --help)"},
		{[]string{"run", "--", "server.js", "--port", "3000"}, "server.js is a script, not a program: heapscope run -- node server.js --port 3000"},
		{[]string{"leaks", "-", "-", "-"}, "only one of the snapshots can be read from stdin, not 3"},
		{[]string{"summary", "--format", "html", corpus}, `--format must be text or json, not "html"`},
		{[]string{"summary", "--json", "--format", "text", corpus}, "--json and --format text disagree"},
		{[]string{"retainers", f, "--class", "server"}, f + `: no objects of class "server"; did you mean "Server"?`},
		{[]string{"retainers", f, "--class", "Srevr"}, f + `: no objects of class "Srevr"; did you mean "Server"?`},
		{[]string{"retainers", f, "--class", "createserver"}, f + `: no objects of class "createserver"; createServer is a function, not a class: retainers --id @39177 follows the nearest of its 2 closures, and heapscope summary ` + f + " lists the classes of what it creates"},
		{[]string{"retainers", f, "--class", "checkConnections"}, f + `: no objects of class "checkConnections"; checkConnections is a function, not a class: retainers --id @64013 follows its closure, and heapscope summary ` + f + " lists the classes of what it creates"},
		{[]string{"retainers", f, "--class", "NoSuchClass"}, f + `: no objects of class "NoSuchClass"; heapscope summary ` + f + " lists the classes"},
	} {
		r := runBadInput(t, strings.NewReader(""), tc.args...)
		if r.code != 2 || r.stderr != "heapscope: "+tc.want+"\n" || r.stdout != "" {
			t.Errorf("heapscope %s: exit code %d, stdout %q, stderr\n%q, want code 2 and\n%q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, "heapscope: "+tc.want+"\n")
		}
	}
}

// TestEveryCommandHasExamples: every command's --help shows how to call it.
func TestEveryCommandHasExamples(t *testing.T) {
	for _, c := range newRoot().Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(c.Example, "heapscope "+c.Name()) {
			t.Errorf("%s: no example calling it: %q", c.Name(), c.Example)
		}
		out, _, err := runCLIErr(t, c.Name(), "--help")
		if err != nil || !strings.Contains(out, "\nExamples:\n  heapscope ") {
			t.Errorf("%s --help: %v, no Examples section in\n%s", c.Name(), err, out)
		}
	}
}

// TestFormatJSONIsJSON: --format json prints what --json prints, for every
// command that had only --json.
func TestFormatJSONIsJSON(t *testing.T) {
	for _, args := range [][]string{
		{"summary", leakCorpus, "--top", "3"},
		{"retainers", leakCorpus, "--class", "Server"},
		{"dominators", leakCorpus, "--depth", "1"},
		{"diff", leakCorpus, leakCorpus, "--top", "3"},
	} {
		withJSON, _, err := runCLIErr(t, append(args, "--json")...)
		if err != nil {
			t.Fatalf("%v --json: %v", args, err)
		}
		withFormat, _, err := runCLIErr(t, append(args, "--format", "json")...)
		if err != nil {
			t.Fatalf("%v --format json: %v", args, err)
		}
		text, _, err := runCLIErr(t, append(args, "--format", "text")...)
		if err != nil {
			t.Fatalf("%v --format text: %v", args, err)
		}
		if withFormat != withJSON || !strings.HasPrefix(withJSON, "{") || strings.HasPrefix(text, "{") {
			t.Errorf("%v: --format json and --json differ, or text is JSON:\n%.200s\n%.200s\n%.200s", args, withJSON, withFormat, text)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"top", "top", 0}, {"tpo", "top", 1}, {"jsn", "json", 1},
		{"durration", "duration", 1}, {"Srevr", "Server", 2}, {"abc", "", 3}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestLeaksHelpExplainsTheFinding: `leaks --help` names each part of a
// finding as the text prints it, so that a first reader knows what the
// headline, the accumulation point and the fix site are.
func TestLeaksHelpExplainsTheFinding(t *testing.T) {
	out, _, err := runCLIErr(t, "leaks", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HEADLINE", "Fix:", "Retained by", "accumulation point", "Growing with it", "Where", "← fix here", "different processes", "docs/patterns.md", "headline, pattern"} {
		if !strings.Contains(out, want) {
			t.Errorf("leaks --help does not explain %q:\n%s", want, out)
		}
	}
}
