package inspector

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The protocol messages heapscope uses, written by hand from the protocol's
// definition (v8/include/js_protocol.pdl): about ten structs instead of a
// generated package of several hundred (docs/design.md, Dependencies).

// Method and event names.
const (
	MethodEvaluate              = "Runtime.evaluate"
	MethodGetHeapUsage          = "Runtime.getHeapUsage"
	MethodHeapEnable            = "HeapProfiler.enable"
	MethodHeapDisable           = "HeapProfiler.disable"
	MethodCollectGarbage        = "HeapProfiler.collectGarbage"
	MethodTakeHeapSnapshot      = "HeapProfiler.takeHeapSnapshot"
	MethodStartTracking         = "HeapProfiler.startTrackingHeapObjects"
	EventAddHeapSnapshotChunk   = "HeapProfiler.addHeapSnapshotChunk"
	EventReportSnapshotProgress = "HeapProfiler.reportHeapSnapshotProgress"
)

// StartTrackingParams are HeapProfiler.startTrackingHeapObjects'
// parameters.
type StartTrackingParams struct {
	TrackAllocations bool `json:"trackAllocations,omitempty"`
}

// EvaluateParams are Runtime.evaluate's parameters.
type EvaluateParams struct {
	Expression string `json:"expression"`
	// IncludeCommandLineAPI makes require() available to the expression in
	// Node.js, even in ES modules and where the program shadows it.
	IncludeCommandLineAPI bool `json:"includeCommandLineAPI,omitempty"`
	ReturnByValue         bool `json:"returnByValue,omitempty"`
	AwaitPromise          bool `json:"awaitPromise,omitempty"`
	Silent                bool `json:"silent,omitempty"`
}

// RemoteObject is a value in the target (Runtime.RemoteObject).
type RemoteObject struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype,omitempty"`
	ClassName   string          `json:"className,omitempty"`
	Value       json.RawMessage `json:"value,omitempty"`
	Description string          `json:"description,omitempty"`
}

// ExceptionDetails describes an exception thrown by evaluated code.
type ExceptionDetails struct {
	Text         string        `json:"text"`
	LineNumber   int           `json:"lineNumber"`
	ColumnNumber int           `json:"columnNumber"`
	Exception    *RemoteObject `json:"exception,omitempty"`
}

// EvaluateResult is Runtime.evaluate's answer.
type EvaluateResult struct {
	Result           RemoteObject      `json:"result"`
	ExceptionDetails *ExceptionDetails `json:"exceptionDetails,omitempty"`
}

// HeapUsage is Runtime.getHeapUsage's answer, in bytes.
type HeapUsage struct {
	UsedSize  float64 `json:"usedSize"`
	TotalSize float64 `json:"totalSize"`
}

// TakeHeapSnapshotParams are HeapProfiler.takeHeapSnapshot's parameters.
type TakeHeapSnapshotParams struct {
	ReportProgress bool `json:"reportProgress,omitempty"`
	// CaptureNumericValue adds heap numbers' values to the snapshot.
	CaptureNumericValue bool `json:"captureNumericValue,omitempty"`
}

// SnapshotChunk is the addHeapSnapshotChunk event: the next piece of the
// snapshot's JSON text.
type SnapshotChunk struct {
	Chunk string `json:"chunk"`
}

// SnapshotProgress is the reportHeapSnapshotProgress event: V8 has
// serialized Done of Total objects.
type SnapshotProgress struct {
	Done     int64 `json:"done"`
	Total    int64 `json:"total"`
	Finished bool  `json:"finished"`
}

// ExceptionError is returned by Evaluate when the expression threw.
type ExceptionError struct {
	Details ExceptionDetails
}

func (e *ExceptionError) Error() string {
	msg := e.Details.Text
	if ex := e.Details.Exception; ex != nil && ex.Description != "" {
		msg = ex.Description
	} else if ex != nil && len(ex.Value) > 0 {
		msg = string(ex.Value)
	}
	// The first line is the message; the stack follows.
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return "exception in the target: " + msg
}

// Evaluate runs expression in the target's main context with the command line
// API (require) and decodes its value into result (nil to ignore it). The
// expression should return something JSON can hold. An exception comes back
// as an *ExceptionError. Evaluate answers even while the target runs
// JavaScript that never yields (the inspector interrupts it); Await does not.
func (c *Client) Evaluate(ctx context.Context, expression string, result any) error {
	return c.evaluate(ctx, expression, false, result)
}

// Await is Evaluate for an expression whose value is a promise: it answers
// when the promise settles, with its value. It needs the target's event loop
// to turn, so it never answers while the target runs JavaScript that never
// yields (Node.js 20 does not answer even for an expression that is not a
// promise then).
func (c *Client) Await(ctx context.Context, expression string, result any) error {
	return c.evaluate(ctx, expression, true, result)
}

func (c *Client) evaluate(ctx context.Context, expression string, await bool, result any) error {
	var r EvaluateResult
	err := c.Call(ctx, MethodEvaluate, EvaluateParams{
		Expression:            expression,
		IncludeCommandLineAPI: true,
		ReturnByValue:         true,
		AwaitPromise:          await,
		Silent:                true,
	}, &r)
	if err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return &ExceptionError{Details: *r.ExceptionDetails}
	}
	if result != nil {
		if len(r.Result.Value) == 0 {
			return fmt.Errorf("%s: the expression returned %s, not a value", MethodEvaluate, r.Result.Type)
		}
		if err := json.Unmarshal(r.Result.Value, result); err != nil {
			return fmt.Errorf("%s: unexpected value %.100s: %w", MethodEvaluate, r.Result.Value, err)
		}
	}
	return nil
}

// HeapUsage returns the target's JavaScript heap usage. It answers even while
// the target runs JavaScript that never yields.
func (c *Client) HeapUsage(ctx context.Context) (HeapUsage, error) {
	var u HeapUsage
	err := c.Call(ctx, MethodGetHeapUsage, nil, &u)
	if err == nil && (u.UsedSize < 0 || u.TotalSize < 0) {
		err = fmt.Errorf("%s: negative sizes %v/%v", MethodGetHeapUsage, u.UsedSize, u.TotalSize)
	}
	return u, err
}
