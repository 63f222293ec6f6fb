'use strict';
// A dashboard API. Every page view follows the live settings: when an admin
// changes the theme, views being rendered pick it up.
const http = require('http');
const { EventEmitter } = require('events');
const express = require('express');

class Settings extends EventEmitter {
  constructor(values) {
    super();
    this.values = { ...values };
  }
  get(key) { return this.values[key]; }
  set(key, value) {
    this.values[key] = value;
    this.emit('change', key, value);
  }
}

class PageView {
  constructor(req, theme) {
    this.path = req.path;
    this.user = req.query.user;
    this.theme = theme;
    this.widgets = ['orders', 'revenue', 'alerts'].map(name => ({ name, loaded: false }));
    this.startedAt = Date.now();
  }
}

const settings = new Settings({ theme: 'light', locale: 'en' });
const app = express();

app.get('/dashboard', (req, res) => {
  const view = new PageView(req, settings.get('theme'));
  const onChange = (key, value) => {
    if (key === 'theme') view.theme = value;
  };
  settings.on('change', onChange);
  res.on('finish', () => settings.off('change', onChange));
  res.json({ path: view.path, theme: view.theme, widgets: view.widgets.length });
});

app.put('/settings/:key', express.json(), (req, res) => {
  settings.set(req.params.key, req.body.value);
  res.sendStatus(204);
});

// Load driver: one request per step.
let server;
const agent = new http.Agent({ keepAlive: true });

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path, agent }, res => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

module.exports = {
  setup() {
    return new Promise(resolve => { server = app.listen(0, '127.0.0.1', resolve); });
  },
  step(i) {
    return get(`/dashboard?user=user${i % 50}`);
  },
  teardown() {
    agent.destroy();
    server.close();
  },
};
