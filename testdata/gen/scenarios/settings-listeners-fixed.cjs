'use strict';
// A 'change' listener added to a long-lived settings emitter on every request and
// removed when the response ends: nothing accumulates (the leaking twin is
// settings-listeners.cjs).
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
  const onChange = (key, value) => {
    if (key === 'locale') view.locale = value;
  };
  settings.on('change', onChange);
  res.once('finish', () => settings.off('change', onChange));
  res.end(`${view.url} ${view.locale}`);
}

module.exports = {
  name: 'settings-listeners-fixed',
  leakClass: null,
  step(i) {
    handleRequest({ url: `/page/${i}`, user: `user${i % 50}` }, new Response());
  },
};
