'use strict';
// A reminder service: every tenant has a cron task that sends its digest;
// when a tenant changes its schedule the old task is stopped and a new one
// scheduled. The fix of node-cron/node-cron#348: node-cron 4 takes a task
// out of its registry on destroy(), which the old task now gets.
const cron = require('node-cron');

const tasks = new Map();

function sendDigest(tenant) {
  return {tenant, sentAt: Date.now()};
}

function reschedule(tenant, expression) {
  const old = tasks.get(tenant);
  if (old) {
    old.destroy();
  }
  tasks.set(tenant, cron.schedule(expression, () => sendDigest(tenant)));
}

module.exports = {
  step(i) {
    reschedule('tenant-' + (i % 20), (i % 60) + ' 8 * * *');
  },
  teardown() {
    for (const task of tasks.values()) {
      task.stop();
    }
  },
};
