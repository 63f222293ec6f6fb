package diff

import (
	"fmt"
	"slices"

	"github.com/heapscope/heapscope/snapshot"
)

// IDs is what the test of one process (CheckProcess) reads from a
// snapshot: every node's V8 id with a hash of its node type and raw name,
// and the largest JS object id. It takes 8 bytes per node, so that a leak
// series can check a snapshot against the one before after letting the
// earlier graph go.
type IDs struct {
	keys    []uint64 // id<<32 | tag, in id order; see tagger
	maxJSID snapshot.NodeID
}

// NewIDs reads the ids of s for CheckProcess.
func NewIDs(s *snapshot.Snapshot) *IDs {
	t := newTagger(s)
	keys := make([]uint64, len(s.NodeIDs))
	for o, id := range s.NodeIDs {
		keys[o] = uint64(id)<<32 | uint64(t.tag(snapshot.Ordinal(o)))
	}
	sortByID(keys)
	return &IDs{keys: keys, maxJSID: s.MaxJSNodeID()}
}

// idsOfSorted is NewIDs for a snapshot whose nodes the caller already
// sorted as id<<32 | ordinal.
func idsOfSorted(s *snapshot.Snapshot, sorted []uint64) *IDs {
	t := newTagger(s)
	keys := make([]uint64, len(sorted))
	for i, v := range sorted {
		keys[i] = v&^(1<<32-1) | uint64(t.tag(snapshot.Ordinal(v)))
	}
	return &IDs{keys: keys, maxJSID: s.MaxJSNodeID()}
}

// MaxJSID is the snapshot's largest JS object id (odd id).
func (x *IDs) MaxJSID() snapshot.NodeID { return x.maxJSID }

// tagger hashes a node's type and raw name into a 32-bit tag: 0 for every
// synthetic node, a nonzero FNV-1a hash for the others. Two snapshots'
// nodes with equal tags are the same object with a probability of 1-2⁻³²
// per pair, so that a count in CheckProcess is exact but in rare cases off
// by one, far below its thresholds.
type tagger struct {
	s    *snapshot.Snapshot
	memo []uint32 // per name: its hash, 0 until computed
}

func newTagger(s *snapshot.Snapshot) *tagger {
	return &tagger{s: s, memo: make([]uint32, s.Strings.Len())}
}

func (t *tagger) tag(o snapshot.Ordinal) uint32 {
	typ := t.s.NodeTypes[o]
	if typ == snapshot.NodeSynthetic {
		return 0
	}
	name := t.s.NodeNames[o]
	h := t.memo[name]
	if h == 0 {
		const offset, prime = 2166136261, 16777619
		h = offset
		for _, c := range t.s.Strings.Bytes(name) {
			h = (h ^ uint32(c)) * prime
		}
		h |= 1 // nonzero: 0 means "not computed"
		t.memo[name] = h
	}
	h = (h ^ uint32(typ)) * 16777619
	if h == 0 {
		h = 1
	}
	return h
}

// sortByID sorts keys by their upper 32 bits (the id), two 16-bit radix
// passes: a comparison sort of millions of keys took half a second,
// longer than the rest of the check.
func sortByID(keys []uint64) {
	if slices.IsSortedFunc(keys, func(a, b uint64) int { return int(a>>32) - int(b>>32) }) {
		return
	}
	tmp := make([]uint64, len(keys))
	count := make([]int, 1<<16+1)
	src, dst := keys, tmp
	for shift := 32; shift < 64; shift += 16 {
		clear(count)
		for _, v := range src {
			count[v>>shift&0xffff+1]++
		}
		for d := 1; d < len(count); d++ {
			count[d] += count[d-1]
		}
		for _, v := range src {
			d := v >> shift & 0xffff
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	// Two passes: the result is back in keys.
}

// ProcessCheck is the test that two snapshots are an earlier and a later
// snapshot of one process, which comparing them by id assumes.
type ProcessCheck struct {
	// BaseMaxJSID and TargetMaxJSID are each snapshot's largest JS object
	// id (odd id): objects allocated after a snapshot have larger ids.
	BaseMaxJSID, TargetMaxJSID snapshot.NodeID
	// SharedIDs counts the ids (of non-synthetic nodes) both snapshots
	// have; SameObjects those of them with the same node type and raw name
	// on both sides. In two snapshots of one process they are equal but
	// for a code object renamed here and there; in two processes of one
	// Node.js binary, whose start-up allocates the same objects in the
	// same order, about half of them (0.50 to 0.55 in the corpus); in two
	// runtimes, a few percent.
	SharedIDs, SameObjects int
	// OtherProcess is set when fewer than 90 % of the shared ids name the
	// same object: the snapshots are not of one process.
	OtherProcess bool
	// Warnings say why the snapshots do not look like an earlier and a
	// later snapshot of one process.
	Warnings []string
}

// CheckProcess tests that base and target are an earlier and a later
// snapshot of one process: V8 object ids only name the same object within
// one process, and only grow. Synthetic nodes ((GC roots) and its
// children) have the same small ids in every process and do not count.
func CheckProcess(base, target *IDs) ProcessCheck {
	c := ProcessCheck{BaseMaxJSID: base.maxJSID, TargetMaxJSID: target.maxJSID}
	b, t := base.keys, target.keys
	i, j := 0, 0
	for i < len(b) && j < len(t) {
		x, y := b[i]>>32, t[j]>>32
		switch {
		case x < y:
			i++
		case x > y:
			j++
		default:
			bt, tt := uint32(b[i]), uint32(t[j])
			i++
			j++
			if bt == 0 && tt == 0 {
				continue
			}
			c.SharedIDs++
			if bt == tt {
				c.SameObjects++
			}
		}
	}
	switch {
	case c.SharedIDs == 0:
		c.OtherProcess = true
		c.Warnings = append(c.Warnings, "the snapshots have no object id in common: they look like different processes (ids only match within one process)")
	case c.SameObjects*10 < c.SharedIDs*9:
		c.OtherProcess = true
		c.Warnings = append(c.Warnings, fmt.Sprintf("only %d of the %d object ids the snapshots share name the same object: they look like different processes (ids only match within one process)", c.SameObjects, c.SharedIDs))
	}
	if c.TargetMaxJSID < c.BaseMaxJSID {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the target's largest object id (%d) is below the base's (%d): is the base the later snapshot?", c.TargetMaxJSID, c.BaseMaxJSID))
	}
	return c
}
