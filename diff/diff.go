// Package diff compares two heap snapshots of one process the way the Chrome
// DevTools Memory panel's Comparison view does, and adds each class's count
// and retained size in both snapshots.
//
// V8 object ids are stable within one process, so objects are matched by id:
// per class key, the ids of the base's and the target's counted objects
// (shallow size > 0) are merged; ids only in the target are new, ids only in
// the base are deleted (DevTools' aggregatesForDiff and calculateSnapshotDiff
// in HeapSnapshot.ts). As in DevTools, the base's plain objects are
// classified with the target's inferred interface definitions ("{a, b}"), so
// that both sides use the same class keys.
package diff

import (
	"slices"
	"sort"
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// Class is one row of the Comparison view, keyed like the Summary view, with
// the class's Summary numbers in both snapshots.
type Class struct {
	// Key is DevTools' class key: ",Name", or "scriptId,line,column,Name"
	// for objects whose constructor has a source location.
	Key string `json:"key"`
	// Name is the name DevTools shows for the row: the target's class name,
	// or for a class that only the base has, the base's own class name of
	// its instance with the largest id.
	Name string `json:"name"`

	// DevTools' Comparison view: # New, # Deleted, # Delta, Alloc. Size,
	// Freed Size, Size Delta. Sizes are shallow sizes (after DevTools'
	// ownership transfer).
	AddedCount   int    `json:"addedCount"`
	RemovedCount int    `json:"removedCount"`
	CountDelta   int    `json:"countDelta"`
	AddedSize    uint64 `json:"addedSize"`
	RemovedSize  uint64 `json:"removedSize"`
	SizeDelta    int64  `json:"sizeDelta"`

	// The Summary view's count and class retained size in each snapshot
	// (0 where the snapshot has no such class). The base's numbers use the
	// Comparison's classification (the target's interface definitions).
	BaseCount      int    `json:"baseCount"`
	TargetCount    int    `json:"targetCount"`
	BaseRetained   uint64 `json:"baseRetained"`
	TargetRetained uint64 `json:"targetRetained"`
	RetainedDelta  int64  `json:"retainedDelta"`

	// Location is the constructor's location for location-keyed classes.
	Location *snapshot.Location `json:"-"`
	// NewNodes are the new objects in the target, in id order.
	NewNodes []snapshot.Ordinal `json:"-"`
	// DeletedNodes are the deleted objects in the base, in id order.
	DeletedNodes []snapshot.Ordinal `json:"-"`
}

// InComparison reports whether DevTools' Comparison view has a row for c
// (it has objects new or deleted). Compare also returns the classes whose
// retained size alone changed.
func (c *Class) InComparison() bool { return c.AddedCount > 0 || c.RemovedCount > 0 }

// Result is the comparison of a target snapshot against a base snapshot.
type Result struct {
	// Classes are the rows: every class with new or deleted objects (exactly
	// DevTools' Comparison view), then every class whose retained size alone
	// changed; sorted by Sort(…, DefaultSort).
	Classes []Class
	// BaseIDs are the ids of all base nodes, sorted; see InBase.
	BaseIDs []snapshot.NodeID
	// BaseMaxJSID and TargetMaxJSID are each snapshot's largest JS object
	// id (odd id): objects allocated after a snapshot have larger ids.
	BaseMaxJSID, TargetMaxJSID snapshot.NodeID
	// SharedIDs counts the ids (of non-synthetic nodes) both snapshots
	// have; SameObjects those of them with the same node type and raw name
	// on both sides. In two snapshots of one process they are equal.
	SharedIDs, SameObjects int
	// Warnings say why the two snapshots do not look like an earlier and a
	// later snapshot of one process (ids only match within one process).
	Warnings []string
}

// InBase reports whether the base snapshot has a node with V8 object id id.
func (r *Result) InBase(id snapshot.NodeID) bool {
	_, ok := slices.BinarySearch(r.BaseIDs, id)
	return ok
}

// Class returns the row for a class key, or nil if the class did not change.
func (r *Result) Class(key string) *Class {
	for i := range r.Classes {
		if r.Classes[i].Key == key {
			return &r.Classes[i]
		}
	}
	return nil
}

// side is one snapshot's counted nodes grouped by class key, each group in
// id order.
type side struct {
	g      *graph.Graph
	keys   []string
	rows   []summary.Class // Summary rows, by key
	rowOf  map[string]int  // key -> index into rows
	first  []uint32        // group k is ords[first[k]:first[k+1]]
	ords   []snapshot.Ordinal
	sorted []uint64 // all nodes as id<<32 | ordinal, sorted
}

// newSide groups g's nodes classified as cl.
func newSide(g *graph.Graph, cl *graph.Classes) *side {
	sd := &side{g: g}
	var perNode []int32
	sd.rows, perNode = summary.ClassesByNodeAs(g, cl, nil)
	sd.keys = make([]string, len(sd.rows))
	for k, r := range sd.rows {
		sd.keys[k] = r.Key
	}
	sd.rowOf = make(map[string]int, len(sd.rows))
	for i, c := range sd.rows {
		sd.rowOf[c.Key] = i
	}
	ids := g.S.NodeIDs
	sd.sorted = make([]uint64, len(ids))
	for i, id := range ids {
		sd.sorted[i] = uint64(id)<<32 | uint64(i)
	}
	slices.Sort(sd.sorted)
	sd.first = make([]uint32, len(sd.keys)+1)
	for _, k := range perNode {
		if k >= 0 {
			sd.first[k+1]++
		}
	}
	for k := 1; k < len(sd.first); k++ {
		sd.first[k] += sd.first[k-1]
	}
	sd.ords = make([]snapshot.Ordinal, sd.first[len(sd.keys)])
	fill := append([]uint32(nil), sd.first[:len(sd.keys)]...)
	for _, v := range sd.sorted {
		o := snapshot.Ordinal(v)
		if k := perNode[o]; k >= 0 {
			sd.ords[fill[k]] = o
			fill[k]++
		}
	}
	return sd
}

func (sd *side) group(k int) []snapshot.Ordinal { return sd.ords[sd.first[k]:sd.first[k+1]] }

// Compare compares target against base, both analysed graphs of snapshots
// of one process, base taken first. It does not change base or target, so
// it may run concurrently with any other reader of them.
func Compare(base, target *graph.Graph) *Result {
	r := &Result{}
	if base == nil || target == nil {
		r.Warnings = append(r.Warnings, "nothing to compare")
		return r
	}
	t := newSide(target, target.OwnClasses())
	b := newSide(base, base.Reclassify(target.Interfaces))

	r.BaseIDs = make([]snapshot.NodeID, len(b.sorted))
	for i, v := range b.sorted {
		r.BaseIDs[i] = snapshot.NodeID(v >> 32)
	}

	baseKey := make(map[string]int, len(b.keys))
	for k, key := range b.keys {
		baseKey[key] = k
	}
	var unchanged []Class // retained size changed, no object new or deleted
	for k, key := range t.keys {
		bk, ok := baseKey[key]
		var bg []snapshot.Ordinal
		if ok {
			bg = b.group(bk)
			delete(baseKey, key)
		}
		c := merge(base, target, bg, t.group(k))
		c.Key = key
		c.Name = keyName(key)
		if i, ok := t.rowOf[key]; ok {
			tr := &t.rows[i]
			c.Name, c.Location = tr.Name, tr.Location
			c.TargetCount, c.TargetRetained = tr.Count, tr.Retained
		}
		if i, ok := b.rowOf[key]; ok {
			c.BaseCount, c.BaseRetained = b.rows[i].Count, b.rows[i].Retained
		}
		c.RetainedDelta = int64(c.TargetRetained) - int64(c.BaseRetained)
		switch {
		case c.InComparison():
			r.Classes = append(r.Classes, c)
		case c.RetainedDelta != 0:
			unchanged = append(unchanged, c)
		}
	}
	// Classes only the base has: every instance was deleted.
	for k, key := range b.keys {
		if _, ok := baseKey[key]; !ok {
			continue
		}
		bg := b.group(k)
		if len(bg) == 0 {
			continue
		}
		c := merge(base, target, bg, nil)
		c.Key = key
		// DevTools names the row after the base's own classification (its
		// own interface definitions) of the last instance.
		c.Name = base.ClassName(bg[len(bg)-1])
		if i, ok := b.rowOf[key]; ok {
			br := &b.rows[i]
			c.Location, c.BaseCount, c.BaseRetained = br.Location, br.Count, br.Retained
		}
		c.RetainedDelta = -int64(c.BaseRetained)
		r.Classes = append(r.Classes, c)
	}
	r.Classes = append(r.Classes, unchanged...)
	Sort(r.Classes, DefaultSort)
	r.checkProcess(b, t)
	return r
}

// keyName is the class name in a class key (",Name" or "script,line,column,Name").
func keyName(key string) string {
	if p := strings.SplitN(key, ",", 4); len(p) == 4 && p[0] != "" {
		return p[3]
	}
	return strings.TrimPrefix(key, ",")
}

// merge is DevTools' calculateDiffForClass on two groups of ordinals in id
// order (a group may be empty).
func merge(base, target *graph.Graph, bg, tg []snapshot.Ordinal) Class {
	var c Class
	bid, tid := base.S.NodeIDs, target.S.NodeIDs
	added := func(o snapshot.Ordinal) {
		c.NewNodes = append(c.NewNodes, o)
		c.AddedCount++
		c.AddedSize += target.Shallow[o]
	}
	deleted := func(o snapshot.Ordinal) {
		c.DeletedNodes = append(c.DeletedNodes, o)
		c.RemovedCount++
		c.RemovedSize += base.Shallow[o]
	}
	i, j := 0, 0
	for i < len(bg) && j < len(tg) {
		a, t := bid[bg[i]], tid[tg[j]]
		switch {
		case a < t:
			deleted(bg[i])
			i++
		case a > t:
			added(tg[j])
			j++
		default:
			i++
			j++
		}
	}
	for ; i < len(bg); i++ {
		deleted(bg[i])
	}
	for ; j < len(tg); j++ {
		added(tg[j])
	}
	c.CountDelta = c.AddedCount - c.RemovedCount
	c.SizeDelta = int64(c.AddedSize) - int64(c.RemovedSize)
	return c
}

// checkProcess fills the id statistics and warns when the snapshots do not
// look like an earlier and a later snapshot of one process.
func (r *Result) checkProcess(b, t *side) {
	c := CheckProcess(idsOfSorted(b.g.S, b.sorted), idsOfSorted(t.g.S, t.sorted))
	r.BaseMaxJSID, r.TargetMaxJSID = c.BaseMaxJSID, c.TargetMaxJSID
	r.SharedIDs, r.SameObjects = c.SharedIDs, c.SameObjects
	r.Warnings = append(r.Warnings, c.Warnings...)
}

// SortBy names a Comparison order.
type SortBy string

// The Comparison orders: by the absolute value of a delta, biggest first.
const (
	BySize     SortBy = "size"     // |Size Delta|
	ByCount    SortBy = "count"    // |# Delta|
	ByRetained SortBy = "retained" // |Retained Delta|
)

// DefaultSort is the order of Compare's rows and of the diff command: by
// what changed most in retained terms, which is what a leak changes. The
// shallow size delta (DevTools' default) ranks by the objects allocated,
// so rows of object shapes and code come before a class whose objects stay
// but whose retained size grows by megabytes.
const DefaultSort = ByRetained

// Sort orders rows by the absolute value of the chosen delta, biggest first;
// ties by |size delta|, |count delta|, |retained delta|, then key.
func Sort(rows []Class, by SortBy) {
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	keys := func(c *Class) [4]int64 {
		k := [4]int64{0, abs(c.SizeDelta), abs(int64(c.CountDelta)), abs(c.RetainedDelta)}
		switch by {
		case ByCount:
			k[0] = k[2]
		case ByRetained:
			k[0] = k[3]
		default:
			k[0] = k[1]
		}
		return k
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ka, kb := keys(&rows[i]), keys(&rows[j])
		for x := range ka {
			if ka[x] != kb[x] {
				return ka[x] > kb[x]
			}
		}
		return rows[i].Key < rows[j].Key
	})
}
