'use strict';
// A thumbnail service that runs its jobs through a p-queue with a limited
// concurrency, all cancellable by the process-wide shutdown signal.
// p-queue 9.0.0 adds an 'abort' listener to the job's signal for every
// add() and never removes it when the job completes (sindresorhus/p-queue#235,
// fixed in 9.0.1), so the long-lived shutdown signal collects one listener
// per job.
const {default: PQueue} = require('p-queue');

const shutdown = new AbortController();
const queue = new PQueue({concurrency: 4});

async function makeThumbnail(image) {
  return {name: image.name + '.thumb', width: image.width / 4, height: image.height / 4};
}

module.exports = {
  step(i) {
    const image = {name: 'img' + i, width: 1024, height: 768};
    return queue.add(() => makeThumbnail(image), {signal: shutdown.signal});
  },
};
