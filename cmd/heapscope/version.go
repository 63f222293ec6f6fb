package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// release is heapscope's version, from the VERSION file beside this one: the
// only place it is written. npm/build.sh gives the npm packages the same one.
//
//go:embed VERSION
var releaseFile string

// versionInfo is what `heapscope version` reports.
type versionInfo struct {
	Version       string `json:"version"`       // the release, from VERSION
	Module        string `json:"module"`        // the main module's path
	ModuleVersion string `json:"moduleVersion"` // as the go command stamped it: "(devel)", a pseudo-version or a tag
	Commit        string `json:"commit"`        // VCS revision, "" when built outside a checkout
	CommitTime    string `json:"commitTime"`    // RFC 3339, "" when unknown
	Modified      bool   `json:"modified"`      // the work tree had uncommitted changes
	Go            string `json:"go"`            // the toolchain that built the binary
	OS            string `json:"os"`            // GOOS
	Arch          string `json:"arch"`          // GOARCH
}

// release returns the release version without the file's newline.
func release() string { return strings.TrimSpace(releaseFile) }

// readVersion collects the release and what the go command stamped into the
// binary.
func readVersion() versionInfo {
	v := versionInfo{Version: release(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module, v.ModuleVersion = bi.Main.Path, bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// text renders v for people: the release on the first line, then one
// "key value" line each.
func (v versionInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "heapscope %s\n", v.Version)
	if v.Module != "" {
		fmt.Fprintf(&b, "module    %s %s\n", v.Module, v.ModuleVersion)
	}
	commit := v.Commit
	if commit == "" {
		commit = "unknown (built without VCS information)"
	} else {
		if v.CommitTime != "" {
			commit += " " + v.CommitTime
		}
		if v.Modified {
			commit += " (modified)"
		}
	}
	fmt.Fprintf(&b, "commit    %s\n", commit)
	fmt.Fprintf(&b, "go        %s %s/%s\n", v.Go, v.OS, v.Arch)
	return b.String()
}

func writeVersion(w io.Writer, asJSON bool) error {
	v := readVersion()
	if !asJSON {
		_, err := io.WriteString(w, v.text())
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func versionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print heapscope's version, commit, Go version and platform",
		Example: `  heapscope version
  heapscope --version
  heapscope version --json`,
		Args: needArgs(cobra.NoArgs, "takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeVersion(cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// addVersion gives root the version command and the --version flag, which
// prints the same text.
func addVersion(root *cobra.Command) {
	root.AddCommand(versionCmd())
	root.Version = release()
	// The template is parsed by text/template: quote any braces in the text.
	root.SetVersionTemplate(strings.ReplaceAll(readVersion().text(), "{{", `{{"{{"}}`))
}
