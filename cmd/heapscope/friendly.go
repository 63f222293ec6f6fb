package main

// Errors that say what to do: the argument count in words, flag values in
// plain sentences, and a suggestion for a mistyped flag.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// needArgs wraps check, one of cobra's argument-count checks, so that its
// error says in words what the command needs (need, e.g. "two or more
// snapshots of one process, oldest first") instead of "requires at least 2
// arg(s), only received 1".
func needArgs(check cobra.PositionalArgs, need string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if check(cmd, args) == nil {
			return nil
		}
		return inputError(fmt.Errorf("%s %s, got %d; usage: %s %s", cmd.Name(), need, len(args), cmd.Root().Name(), cmd.Use))
	}
}

// flagError turns pflag's errors into sentences that name the flag and what
// it takes, and suggests the nearest flag for one that does not exist.
func flagError(cmd *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	var required *pflag.ValueRequiredError
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if short := notExist.GetSpecifiedShortnames(); short != "" {
			return inputError(fmt.Errorf("%s has no flag -%s (see %s --help)", cmd.Name(), name, cmd.CommandPath()))
		}
		if near := nearestFlag(cmd, name); near != "" {
			return inputError(fmt.Errorf("%s has no flag --%s; did you mean --%s?", cmd.Name(), name, near))
		}
		return inputError(fmt.Errorf("%s has no flag --%s (see %s --help)", cmd.Name(), name, cmd.CommandPath()))
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return inputError(fmt.Errorf("--%s takes %s, not %q", f.Name, valueKind(f), invalid.GetValue()))
	case errors.As(err, &required):
		f := required.GetFlag()
		return inputError(fmt.Errorf("--%s needs a value: %s", f.Name, valueKind(f)))
	}
	return inputError(err)
}

// valueKind describes in words what a flag's value must be.
func valueKind(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return fmt.Sprintf("a whole number (e.g. --%s=20)", f.Name)
	case "float64", "float32":
		return fmt.Sprintf("a number (e.g. --%s=0.5)", f.Name)
	case "duration":
		return fmt.Sprintf("a duration such as 500ms, 30s or 2m (e.g. --%s=30s)", f.Name)
	case "bool":
		return "true or false"
	}
	return "a " + f.Value.Type()
}

// nearestFlag returns the name of cmd's flag nearest to name (a prefix of
// it, or at most a third of its letters away), "" when none is near.
func nearestFlag(cmd *cobra.Command, name string) string {
	best, bestDist := "", len(name)/3+1
	var candidates []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			candidates = append(candidates, f.Name)
		}
	})
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			candidates = append(candidates, f.Name)
		}
	})
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), c)
		if len(name) >= 3 && strings.HasPrefix(c, name) {
			d = 1
		}
		if d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	if bestDist > len(name)/3+1 || best == "" {
		return ""
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (adjacent swaps count
// one) between a and b, by bytes: flag and class names are mostly ASCII.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// settleFormat checks --format against allowed and folds --json into it
// (--json is --format json).
func settleFormat(cmd *cobra.Command, format *string, asJSON bool, allowed ...string) error {
	ok := false
	for _, a := range allowed {
		ok = ok || *format == a
	}
	if !ok {
		list := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
		return inputError(fmt.Errorf("--format must be %s, not %q", list, *format))
	}
	if asJSON {
		if cmd.Flags().Changed("format") && *format != "json" {
			return inputError(fmt.Errorf("--json and --format %s disagree", *format))
		}
		*format = "json"
	}
	return nil
}

// formatFlags adds --format (text or json) and --json, its older spelling.
func formatFlags(cmd *cobra.Command, format *string, asJSON *bool, jsonHelp string) {
	cmd.Flags().StringVar(format, "format", "text", "output format: text or json ("+jsonHelp+")")
	cmd.Flags().BoolVar(asJSON, "json", false, "print JSON (the same as --format json)")
}

// oneLine returns err's message on one line, as every error of heapscope's
// is: cobra's unknown command error lists its suggestions below it.
func oneLine(err error) string {
	msg := err.Error()
	head, sugs, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if ok {
		msg = head + "; did you mean " + strings.Join(strings.Fields(sugs), " or ") + "?"
	}
	return strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
}
