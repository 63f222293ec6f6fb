#!/usr/bin/env node
'use strict';
// heapscope: adapted from the team's reference oracle (shared/oracle/inspect.js); unchanged.

// Usage: node inspect.js SNAPSHOT[.gz] ID [ID...]
// Prints, via DevTools' own code, each node's class/name/sizes/distance,
// its dominator chain, its retainers (as DevTools' Retainers pane lists them)
// and its outgoing edges.
const dtl = require('./lib/devtools.js');
(async () => {
  const [file, ...ids] = process.argv.slice(2);
  const {dt, snapshot} = await dtl.loadSnapshot(file);
  const out = [];
  for (const idStr of ids) {
    const nodeIndex = snapshot.nodeIndexForId(Number(idStr));
    if (nodeIndex === undefined) {
      out.push({id: Number(idStr), error: 'not found'});
      continue;
    }
    const node = snapshot.createNode(nodeIndex);
    const retainers = [];
    for (let it = node.retainers(); it.hasNext(); it.next()) {
      const e = it.item();
      const from = e.node();
      retainers.push({type: e.type(), name: e.name(), from: `${from.className()} ${JSON.stringify(from.name())} @${from.id()}`, fromDistance: from.distance()});
    }
    const edges = [];
    for (let it = node.edges(); it.hasNext(); it.next()) {
      const e = it.item();
      const to = e.node();
      edges.push({type: e.type(), name: e.name(), to: `${to.className()} ${JSON.stringify(to.name())} @${to.id()}`});
    }
    out.push({
      id: node.id(), type: node.type(), name: node.name(), className: node.className(),
      selfSize: node.selfSize(), retainedSize: node.retainedSize(), distance: node.distance(),
      dominators: dtl.dominatorChain(snapshot, nodeIndex, 12),
      retainerChain: dtl.retainerChain(snapshot, dt, nodeIndex),
      retainers, edges: edges.slice(0, 60), edgeCount: edges.length,
    });
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
})().catch(e => {
  console.error(e.stack || e);
  process.exit(1);
});
