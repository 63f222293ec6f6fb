'use strict';
// An RPC client over a message channel: each call sends a request with a
// new id and waits for 'reply:<id>' with once() on a component-emitter
// Emitter. component-emitter 1.2.1's off() takes the listener out of the
// event's callback array but leaves the empty array under
// _callbacks['$reply:<id>'], so every call leaves one key and one array
// behind (sindresorhus/component-emitter#74, released in 1.3.0).
const Emitter = require('component-emitter');

class RpcClient {
  constructor(channel) {
    this.channel = channel;
    this.replies = new Emitter();
    this.nextId = 1;
    channel.onmessage = (message) => this.replies.emit('reply:' + message.id, message.result);
  }

  call(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.once('reply:' + id, resolve);
      this.channel.send({id, method, params});
    });
  }
}

// The server side of the channel answers every request on the next tick.
const channel = {
  onmessage: null,
  send(request) {
    process.nextTick(() => this.onmessage({id: request.id, result: {ok: true, method: request.method}}));
  },
};
const client = new RpcClient(channel);

module.exports = {
  step(i) {
    return client.call('inventory.get', {sku: 'sku-' + i});
  },
};
