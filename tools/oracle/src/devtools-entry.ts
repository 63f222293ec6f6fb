// heapscope: adapted from the team's reference oracle (shared/oracle/src/devtools-entry.ts); unchanged.
// Re-exports the Chrome DevTools heap snapshot worker implementation, unchanged.
export * from 'DTFE/entrypoints/heap_snapshot_worker/HeapSnapshot.ts';
export {HeapSnapshotLoader} from 'DTFE/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.ts';
export * as HeapSnapshotModel from 'DTFE/models/heap_snapshot/HeapSnapshotModel.ts';
