package hunt

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"time"
)

//go:embed harness.js
var harnessJS string

// scenarioArgs is the command that runs a scenario module under the
// harness: node, its flags, -e HARNESS, the scenario's path.
func scenarioArgs(node string, nodeFlags []string, scenario string) ([]string, error) {
	st, err := os.Stat(scenario)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("scenario %s is a directory", scenario)
	}
	args := append([]string{node}, nodeFlags...)
	return append(args, "-e", harnessJS, scenario), nil
}

// scenario drives a scenario module loaded by the harness: one unit of work
// is one call of its action.
type scenario struct {
	T *Target
	// ActionTimeout bounds one call of setup, action or cleanup.
	ActionTimeout time.Duration
}

// DefaultActionTimeout bounds one scenario function call.
const DefaultActionTimeout = 30 * time.Second

const harnessAPI = "globalThis[Symbol.for('heapscope.scenario')]"

func (s *scenario) actionTimeout() time.Duration {
	if s.ActionTimeout <= 0 {
		return DefaultActionTimeout
	}
	return s.ActionTimeout
}

// await evaluates a harness call with a bound.
func (s *scenario) await(ctx context.Context, expr string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok any
	return s.T.C.Await(ctx, expr, &ok)
}

// ready waits until the scenario module is loaded.
func (s *scenario) ready(ctx context.Context, timeout time.Duration) error {
	end := time.Now().Add(timeout)
	for {
		var kind string
		if err := s.T.evaluate(ctx, "typeof "+harnessAPI, &kind); err != nil {
			return fmt.Errorf("scenario harness: %w", err)
		}
		if kind == "object" {
			break
		}
		if time.Now().After(end) {
			return errors.New("scenario harness did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.await(ctx, harnessAPI+".ready", max(time.Until(end), time.Second)); err != nil {
		return fmt.Errorf("load scenario: %w", err)
	}
	return nil
}

// setup calls the scenario's setup.
func (s *scenario) setup(ctx context.Context) error {
	ms := s.actionTimeout().Milliseconds()
	if err := s.await(ctx, fmt.Sprintf("%s.setup(%d)", harnessAPI, ms), s.actionTimeout()+s.T.timeout()); err != nil {
		return fmt.Errorf("scenario setup: %w", err)
	}
	return nil
}

// Unit implements driver.
func (s *scenario) Unit() string { return "iteration" }

// Run implements driver: n calls of the action, each awaited.
func (s *scenario) Run(ctx context.Context, n int) error {
	ms := s.actionTimeout().Milliseconds()
	d := s.T.timeout() + time.Duration(n)*s.actionTimeout()
	if err := s.await(ctx, fmt.Sprintf("%s.run(%d, %d)", harnessAPI, n, ms), d); err != nil {
		return fmt.Errorf("scenario action: %w", err)
	}
	return nil
}

// cleanup calls the scenario's cleanup, then lets the harness exit.
func (s *scenario) cleanup(ctx context.Context) error {
	ms := s.actionTimeout().Milliseconds()
	err := s.await(ctx, fmt.Sprintf("%s.cleanup(%d)", harnessAPI, ms), s.actionTimeout()+s.T.timeout())
	var ok bool
	_ = s.T.evaluate(ctx, harnessAPI+".exit()", &ok)
	if err != nil {
		return fmt.Errorf("scenario cleanup: %w", err)
	}
	return nil
}
