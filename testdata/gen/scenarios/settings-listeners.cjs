'use strict';
// A 'change' listener added to a long-lived settings emitter on every request and never
// removed: each listener closes over the request's PageView, so every view stays alive.
// The fixed twin, settings-listeners-fixed.cjs, removes the listener when the response ends.
const EventEmitter = require('events');

class Settings extends EventEmitter {
  constructor() {
    super();
    this.values = { locale: 'en', theme: 'light' };
  }
  get(key) {
    return this.values[key];
  }
  set(key, value) {
    this.values[key] = value;
    this.emit('change', key, value);
  }
}

class PageView {
  constructor(req) {
    this.url = req.url;
    this.user = req.user;
    this.locale = settings.get('locale');
    this.blocks = new Array(16).fill(req.url);
  }
}

class Response extends EventEmitter {
  end(body) {
    this.body = body;
    this.emit('finish');
  }
}

const settings = new Settings();
// The app's own listeners, registered once at startup.
settings.on('change', function reloadTemplates(key) {
  settings.templatesStale = key === 'theme';
});
settings.on('change', function clearCache() {
  settings.cacheGeneration = (settings.cacheGeneration || 0) + 1;
});

function handleRequest(req, res) {
  const view = new PageView(req);
  settings.on('change', (key, value) => {
    if (key === 'locale') view.locale = value;
  });
  res.end(`${view.url} ${view.locale}`);
}

module.exports = {
  name: 'settings-listeners',
  leakClass: 'PageView',
  step(i) {
    handleRequest({ url: `/page/${i}`, user: `user${i % 50}` }, new Response());
  },
};
