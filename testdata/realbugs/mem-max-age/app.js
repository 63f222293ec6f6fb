'use strict';
// An API gateway that resolves the account behind each access token, with
// the lookup memoized for a short time so that a burst of requests with one
// token hits the account store once. mem 3.x only drops an expired entry
// when the same key is asked for again, so every token seen once stays in
// the cache for good (sindresorhus/memoize#14, "old results are not deleted
// from the cache"; mem 4.0.0 removes expired entries with map-age-cleaner,
// sindresorhus/memoize#19).
const mem = require('mem');

class Account {
  constructor(token, id) {
    this.token = token;
    this.id = id;
    this.scopes = ['read', 'write'];
  }
}

async function loadAccount(token) {
  await new Promise((resolve) => setTimeout(resolve, 1));   // the account store, about 1 ms away
  return new Account(token, 'acct-' + token.slice(4));
}

const accountForToken = mem(loadAccount, {maxAge: 1});

module.exports = {
  async step(i) {
    const account = await accountForToken('tok-' + i.toString(36) + '-' + (i * 7919 % 1000));
    return {status: 200, account: account.id};
  },
};
