// heapscope: adapted from the team's reference oracle (shared/oracle/src/stubs/heap_snapshot_model.js); unchanged.
// Stub for front_end/models/heap_snapshot/heap_snapshot.js (the barrel also pulls in
// HeapSnapshotProxy -> core/common, which the worker never uses).
import * as HeapSnapshotModel from 'DTFE/models/heap_snapshot/HeapSnapshotModel.ts';
export {HeapSnapshotModel};
