'use strict';
// A consumer that takes the next message from a long-lived queue emitter
// with events.on(), cancellable by the process-wide shutdown signal, and
// leaves the loop after one message. On Node.js 20.12.2 events.on() adds an
// 'abort' listener to the signal that is never removed when the iterator
// is closed (nodejs/node#51010, fixed by nodejs/node#51091).
const {EventEmitter, on} = require('events');

const queue = new EventEmitter();
const shutdown = new AbortController();

async function nextMessage() {
  for await (const [message] of on(queue, 'message', {signal: shutdown.signal})) {
    return message;
  }
  return null;
}

module.exports = {
  async step(i) {
    const pending = nextMessage();
    queue.emit('message', {seq: i, body: 'payload ' + i});
    return pending;
  },
};
