'use strict';
// A dashboard backend with a home-made publish/subscribe hub: each browser
// tab that opens a price panel creates a PricePanel, which subscribes to its
// symbol's price updates and unsubscribes when the tab closes. The panel
// subscribes this.onPrice.bind(this) and unsubscribes with a new
// this.onPrice.bind(this): a different function, so unsubscribe() finds
// nothing to remove and the hub keeps every closed panel's handler, and the
// panel with it. fixed.js binds the handler once, in the constructor.
class PubSub {
  constructor() {
    this.topics = new Map();   // topic -> Array of handlers
  }

  subscribe(topic, handler) {
    if (!this.topics.has(topic)) this.topics.set(topic, []);
    this.topics.get(topic).push(handler);
  }

  unsubscribe(topic, handler) {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    const at = handlers.indexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
  }

  publish(topic, message) {
    for (const handler of this.topics.get(topic) || []) handler(message);
  }
}

const hub = new PubSub();

class PricePanel {
  constructor(tabId, symbol) {
    this.tabId = tabId;
    this.symbol = symbol;
    this.ticks = [];
    this.onPrice = this.onPrice.bind(this);
    hub.subscribe('price:' + symbol, this.onPrice);
  }

  onPrice(tick) {
    this.ticks.push(tick.price);
    if (this.ticks.length > 20) this.ticks.shift();
  }

  close() {
    hub.unsubscribe('price:' + this.symbol, this.onPrice);
  }
}

const SYMBOLS = ['ACME', 'GLOBEX', 'INITECH', 'UMBRELLA'];

module.exports = {
  step(i) {
    const panel = new PricePanel('tab-' + i, SYMBOLS[i % SYMBOLS.length]);
    hub.publish('price:' + panel.symbol, {symbol: panel.symbol, price: 100 + (i % 13)});
    panel.close();
  },
};
