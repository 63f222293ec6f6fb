'use strict';
// A plugin host that compiles each uploaded plugin's source with
// vm.compileFunction (a CommonJS-style wrapper) and lets the plugin use
// dynamic import() through importModuleDynamically. On Node.js 20.3.1 a
// function compiled with importModuleDynamically is never collected: Node.js
// keeps its entry (and the callback, which holds the function) through a
// strong global reference (nodejs/node#42080, fixed in 20.8.0 by the
// backport nodejs/node#49874 of nodejs/node#48510).
const vm = require('vm');

class Plugin {
  constructor(name, source) {
    this.name = name;
    this.exports = {};
    this.run = vm.compileFunction(source, ['exports', 'name'], {
      filename: 'plugin-' + name + '.js',
      importModuleDynamically: (specifier) => import(specifier),
    });
  }

  load() {
    this.run(this.exports, this.name);
    return this.exports;
  }
}

module.exports = {
  step(i) {
    const plugin = new Plugin('p' + i, 'exports.hello = () => "hello from " + name;');
    return plugin.load().hello();
  },
};
