'use strict';
// The compiled TypeScript app (src/leak-app.ts, built by build.sh).
const { setup, step } = require('./dist/leak-app.js');

module.exports = { setup, step };
