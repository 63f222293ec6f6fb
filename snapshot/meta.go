package snapshot

import (
	"encoding/json"
	"fmt"
	"math"
)

// Meta is the "snapshot" header of a heap snapshot file: the field layout of
// every section and the declared counts. The layout differs between V8
// versions (Node 24+ drops trace_node_id, Chromium adds location fields), so
// every offset is read from here, never assumed.
type Meta struct {
	NodeFields             []string
	NodeTypeNames          []string // the enum of the "type" node field
	EdgeFields             []string
	EdgeTypeNames          []string // the enum of the "type" edge field
	TraceFunctionInfoField []string
	TraceNodeFields        []string
	SampleFields           []string
	LocationFields         []string

	NodeCount          uint64
	EdgeCount          uint64
	TraceFunctionCount uint64
	RootIndex          uint64
	ExtraNativeBytes   uint64
}

type rawHeader struct {
	Meta struct {
		NodeFields             []string          `json:"node_fields"`
		NodeTypes              []json.RawMessage `json:"node_types"`
		EdgeFields             []string          `json:"edge_fields"`
		EdgeTypes              []json.RawMessage `json:"edge_types"`
		TraceFunctionInfoField []string          `json:"trace_function_info_fields"`
		TraceNodeFields        []string          `json:"trace_node_fields"`
		SampleFields           []string          `json:"sample_fields"`
		LocationFields         []string          `json:"location_fields"`
	} `json:"meta"`
	NodeCount          *float64 `json:"node_count"`
	EdgeCount          *float64 `json:"edge_count"`
	TraceFunctionCount *float64 `json:"trace_function_count"`
	RootIndex          *float64 `json:"root_index"`
	ExtraNativeBytes   *float64 `json:"extra_native_bytes"`
}

// parseMeta decodes the "snapshot" object.
func parseMeta(raw []byte) (Meta, error) {
	var h rawHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return Meta{}, fmt.Errorf("invalid JSON: %v", err)
	}
	m := Meta{
		NodeFields:             h.Meta.NodeFields,
		EdgeFields:             h.Meta.EdgeFields,
		TraceFunctionInfoField: h.Meta.TraceFunctionInfoField,
		TraceNodeFields:        h.Meta.TraceNodeFields,
		SampleFields:           h.Meta.SampleFields,
		LocationFields:         h.Meta.LocationFields,
	}
	var err error
	if m.NodeTypeNames, err = enumOf(h.Meta.NodeTypes, "node_types"); err != nil {
		return m, err
	}
	if m.EdgeTypeNames, err = enumOf(h.Meta.EdgeTypes, "edge_types"); err != nil {
		return m, err
	}
	count := func(p *float64, name string, required bool) (uint64, error) {
		if p == nil {
			if required {
				return 0, fmt.Errorf("missing %s", name)
			}
			return 0, nil
		}
		v := *p
		if v < 0 || v != math.Trunc(v) || v > 1<<53 {
			return 0, fmt.Errorf("%s is not a valid count: %v", name, v)
		}
		return uint64(v), nil
	}
	if m.NodeCount, err = count(h.NodeCount, "node_count", true); err != nil {
		return m, err
	}
	if m.EdgeCount, err = count(h.EdgeCount, "edge_count", true); err != nil {
		return m, err
	}
	if m.TraceFunctionCount, err = count(h.TraceFunctionCount, "trace_function_count", false); err != nil {
		return m, err
	}
	if m.RootIndex, err = count(h.RootIndex, "root_index", false); err != nil {
		return m, err
	}
	if m.ExtraNativeBytes, err = count(h.ExtraNativeBytes, "extra_native_bytes", false); err != nil {
		return m, err
	}
	for _, f := range []string{"type", "name", "id", "self_size", "edge_count"} {
		if fieldIndex(m.NodeFields, f) < 0 {
			return m, fmt.Errorf("meta.node_fields lacks %q", f)
		}
	}
	for _, f := range []string{"type", "name_or_index", "to_node"} {
		if fieldIndex(m.EdgeFields, f) < 0 {
			return m, fmt.Errorf("meta.edge_fields lacks %q", f)
		}
	}
	if len(m.NodeTypeNames) == 0 || len(m.EdgeTypeNames) == 0 {
		return m, fmt.Errorf("meta lacks the node or edge type enum")
	}
	if len(m.NodeFields) > 64 || len(m.EdgeFields) > 64 {
		return m, fmt.Errorf("meta declares too many fields")
	}
	return m, nil
}

// enumOf returns the first entry of a *_types list: the enum of type names.
func enumOf(types []json.RawMessage, name string) ([]string, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("missing meta.%s", name)
	}
	var names []string
	if err := json.Unmarshal(types[0], &names); err != nil {
		return nil, fmt.Errorf("meta.%s[0] is not a list of type names", name)
	}
	return names, nil
}

func fieldIndex(fields []string, name string) int {
	for i, f := range fields {
		if f == name {
			return i
		}
	}
	return -1
}
