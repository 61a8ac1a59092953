// The official OVHcloud node client (@ovhcloud/node-ovh 3.0.0) against Steward's /1.0: it signs
// `https://<host without port><path>`, and is hard-wired to https, so plain http is patched in.
// Usage: node ovh_node.mjs HOST PORT APP_KEY APP_SECRET CONSUMER_KEY
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';

https.request = http.request;
https.get = http.get;

const require = createRequire(import.meta.url);
const ovhFactory = require('@ovhcloud/node-ovh');

const [host, port, appKey, appSecret, consumerKey] = process.argv.slice(2);
const ovh = ovhFactory({
  host,
  port: Number(port),
  basePath: '/1.0',
  appKey,
  appSecret,
  consumerKey,
});

function assert(condition, message) {
  if (!condition) {
    throw new Error(`assertion failed: ${message}`);
  }
}

async function refused(promise, status) {
  try {
    await promise;
  } catch (e) {
    assert(e.error === status, `expected ${status}, got ${JSON.stringify(e)}`);
    return e;
  }
  throw new Error(`expected a ${status} refusal`);
}

const before = await ovh.requestPromised('GET', '/me/identity/user');
assert(Array.isArray(before) && !before.includes('nodeuser'), JSON.stringify(before));
const created = await ovh.requestPromised('POST', '/me/identity/user', {
  login: 'nodeuser',
  email: 'node@example.com',
  password: 'Quartz-Lantern-Meadow-97',
  group: 'DEFAULT',
  description: 'Créé par node',
});
assert(created === null, JSON.stringify(created));
const user = await ovh.requestPromised('GET', '/me/identity/user/nodeuser');
assert(user.login === 'nodeuser' && user.status === 'OK', JSON.stringify(user));
assert(user.description === 'Créé par node', JSON.stringify(user));
const listed = await ovh.requestPromised('GET', '/me/identity/user');
assert(listed.includes('nodeuser'), JSON.stringify(listed));
await refused(
  ovh.requestPromised('POST', '/me/identity/user', {
    login: 'nodeuser',
    email: 'node@example.com',
    password: 'Quartz-Lantern-Meadow-97',
  }),
  409,
);
assert((await ovh.requestPromised('DELETE', '/me/identity/user/nodeuser')) === null, 'delete');
await refused(ovh.requestPromised('GET', '/me/identity/user/nodeuser'), 404);
console.log('node-ovh: all checks passed');
