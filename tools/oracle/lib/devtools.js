'use strict';
// heapscope: adapted from the team's reference oracle (shared/oracle/lib/devtools.js); unchanged.

// Thin driver around the Chrome DevTools heap snapshot worker code
// (bundled unchanged into dist/devtools-heap.mjs by build.mjs).
//
// Everything numeric is computed by DevTools' own classes (HeapSnapshotLoader,
// JSHeapSnapshot, SecondaryInitManager). This file only feeds the file in,
// runs the same two-"thread" initialisation that DevTools runs (here both ends
// of a MessageChannel live in one thread, exactly like DevTools'
// createJSHeapSnapshotForTesting), and reads the results back out.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

// Node < 22 lacks Promise.withResolvers, which the DevTools code uses.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return {promise, resolve, reject};
  };
}

const BUNDLE = path.join(__dirname, '..', 'dist', 'devtools-heap.mjs');

let dtPromise = null;
function loadDevTools() {
  if (!dtPromise) {
    if (!fs.existsSync(BUNDLE)) {
      throw new Error(`${BUNDLE} missing: run "npm run build" first`);
    }
    dtPromise = import(BUNDLE);
  }
  return dtPromise;
}

function devtoolsVersion() {
  return JSON.parse(fs.readFileSync(
      path.join(__dirname, '..', 'node_modules', 'chrome-devtools-frontend', 'package.json'), 'utf8')).version;
}

function openSnapshotStream(file) {
  let stream = fs.createReadStream(file, {highWaterMark: 1 << 20});
  if (file.endsWith('.gz')) {
    stream = stream.pipe(zlib.createGunzip());
  }
  stream.setEncoding('utf8');
  return stream;
}

// Loads a .heapsnapshot (optionally .gz) with DevTools' HeapSnapshotLoader and
// returns {dt, snapshot, rawSelfSizes, problems}.
async function loadSnapshot(file, {quiet = true} = {}) {
  const dt = await loadDevTools();
  const {HeapSnapshotLoader, JSHeapSnapshot, SecondaryInitManager} = dt;

  // Record the raw self sizes before DevTools' calculateShallowSizes() moves
  // the sizes of exclusively-owned hidden/array nodes onto their owners.
  let rawSelfSizes = null;
  const origShallow = JSHeapSnapshot.prototype.calculateShallowSizes;
  JSHeapSnapshot.prototype.calculateShallowSizes = function() {
    const {nodes, nodeFieldCount, nodeSelfSizeOffset, nodeCount} = this;
    rawSelfSizes = new Float64Array(nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      rawSelfSizes[i] = nodes.getValue(i * nodeFieldCount + nodeSelfSizeOffset);
    }
    return origShallow.call(this);
  };

  // DevTools reports unreachable-node problems with console.warn from the
  // primary worker; capture them.
  const problems = [];
  const origWarn = console.warn;
  console.warn = (...args) => {
    problems.push(args.join(' '));
    if (!quiet) {
      origWarn(...args);
    }
  };

  try {
    const loader = new HeapSnapshotLoader(/* dispatcher */ undefined);
    const stream = openSnapshotStream(file);
    for await (const chunk of stream) {
      loader.write(chunk);
    }
    loader.close();
    const channel = new MessageChannel();
    // eslint-disable-next-line no-new
    new SecondaryInitManager(channel.port2);
    const snapshot = await loader.buildSnapshot(channel.port1);
    channel.port1.close();
    channel.port2.close();
    return {dt, snapshot, rawSelfSizes, problems};
  } finally {
    JSHeapSnapshot.prototype.calculateShallowSizes = origShallow;
    console.warn = origWarn;
  }
}

// Summary-view aggregates, exactly as DevTools builds them for the
// "All objects" filter: getAggregatesByClassKey() = buildAggregates() +
// calculateClassesRetainedSize(). Keys are DevTools' public class keys:
// ",ClassName" or "scriptId,line,column,ClassName" (objects with a location).
function summaryAggregates(snapshot) {
  const aggregates = snapshot.aggregatesWithFilter({});
  return Object.entries(aggregates).map(([key, a]) => ({
    key,
    name: a.name,
    count: a.count,
    distance: a.distance,
    self: a.self,
    retained: a.maxRet,
  }));
}

// Same DevTools algorithm, but keyed by class name only (what DevTools did
// before it split same-named constructors by source location). Implemented by
// temporarily swapping classKeyInternal() and running the very same
// buildAggregates()/calculateClassesRetainedSize() code.
function aggregatesByName(snapshot, dt) {
  const proto = dt.HeapSnapshotNode.prototype;
  const orig = proto.classKeyInternal;
  proto.classKeyInternal = function() {
    return this.classIndex();
  };
  try {
    const aggregates = snapshot.getAggregatesByClassKey(false, 'oracle-by-name');
    return Object.values(aggregates).map(a => ({
      name: a.name,
      count: a.count,
      distance: a.distance,
      self: a.self,
      retained: a.maxRet,
    }));
  } finally {
    proto.classKeyInternal = orig;
  }
}

function sortAggregates(list) {
  return list.sort((a, b) => (b.retained - a.retained) || (b.self - a.self) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
                   ((a.key || '') < (b.key || '') ? -1 : 1));
}

// The chain DevTools' Retainers pane auto-expands when an object is selected:
// retainers sorted by ('!edgeDistance' ascending, 'name' ascending, index),
// first child expanded recursively while its distance > 1 and it is reachable,
// at most 20 levels (HeapSnapshotRetainingObjectNode.expandRetainersChain(20)).
function retainerChain(snapshot, dt, nodeIndex, maxLevels = 20) {
  const {HeapSnapshotModel} = dt;
  const cmp = new HeapSnapshotModel.ComparatorConfig('!edgeDistance', true, 'name', true);
  const chain = [];
  let current = nodeIndex;
  for (let level = 0; level < maxLevels; level++) {
    const provider = snapshot.createRetainingEdgesProvider(current);
    provider.sortAndRewind(cmp);
    const range = provider.serializeItemsRange(0, 1);
    if (!range.items.length) {
      break;
    }
    const edge = range.items[0];
    chain.push({
      edgeName: edge.name,
      edgeType: edge.type,
      node: {
        id: edge.node.id,
        name: edge.node.name,
        type: edge.node.type,
        className: snapshot.createNode(edge.node.nodeIndex).className(),
        distance: edge.node.distance,
        selfSize: edge.node.selfSize,
        retainedSize: edge.node.retainedSize,
      },
      totalRetainers: range.totalLength,
    });
    if (!(edge.node.distance > 1 && edge.node.distance < HeapSnapshotModel.baseUnreachableDistance)) {
      break;
    }
    current = edge.node.nodeIndex;
  }
  return chain;
}

// Dominator chain (DevTools getDominatorsOf is not in every version; walk the array).
function dominatorChain(snapshot, nodeIndex, max = 200) {
  const out = [];
  const node = snapshot.createNode(nodeIndex);
  for (let i = 0; i < max; i++) {
    const dom = node.dominatorIndex();
    if (dom === node.nodeIndex) {
      break;
    }
    node.nodeIndex = dom;
    out.push({id: node.id(), name: node.name(), className: node.className(), type: node.type()});
    if (node.isRoot()) {
      break;
    }
  }
  return out;
}

module.exports = {
  loadDevTools,
  devtoolsVersion,
  loadSnapshot,
  summaryAggregates,
  aggregatesByName,
  sortAggregates,
  retainerChain,
  dominatorChain,
};
