'use strict';
// The compiled TypeScript app with the fix (src/fixed-app.ts, built by build.sh).
const { setup, step } = require('./dist/fixed-app.js');

module.exports = { setup, step };
