// The pause between a viewer's attempts (web/reconnect.js's Reconnection, used by player.js and
// wall.js), driven with fake timers; run by node's test runner from io.webrtcgw.web.PlayerModulesTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reconnection } from '../../../../web/reconnect.js';

/** Timers that run only when told to, in order of their due time. */
class FakeTimers {
  now = 0;
  #next = 1;
  #due = new Map();

  setTimeout = (fn, ms) => {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#due.delete(id);
  };

  get pending() {
    return this.#due.size;
  }

  /** Runs the earliest timer; returns its delay from the previous now. */
  runNext() {
    const [id, timer] = [...this.#due.entries()].sort((x, y) => x[1].at - y[1].at)[0];
    this.#due.delete(id);
    const waited = timer.at - this.now;
    this.now = timer.at;
    timer.fn();
    return waited;
  }
}

/** A probe whose answers the test gives, one at a time. */
function probes() {
  const asked = [];
  return {
    asked,
    reachable: (signal) => new Promise((resolve) => asked.push({ resolve, signal })),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('after a refusal it connects when the backoff is over, without probing', () => {
  const timers = new FakeTimers();
  const probe = probes();
  let connects = 0;
  const r = new Reconnection({ connect: () => connects++, reachable: probe.reachable, timers, random: () => 0.5 });
  const delay = r.schedule('refused');
  assert.equal(delay, 375);
  assert.equal(r.waiting, true);
  assert.equal(timers.runNext(), 375);
  assert.equal(connects, 1);
  assert.equal(probe.asked.length, 0);
  assert.equal(r.waiting, false);
});

test('after a network loss it probes about once a second and connects once the gateway answers', async () => {
  const timers = new FakeTimers();
  const probe = probes();
  let connects = 0;
  const r = new Reconnection({ connect: () => connects++, reachable: probe.reachable, timers, random: () => 0.5 });
  assert.ok(r.schedule('network') <= 500);
  timers.runNext();
  assert.equal(probe.asked.length, 1);
  probe.asked[0].resolve(false);
  await settle();
  assert.equal(connects, 0);
  assert.equal(timers.runNext(), 1000);
  assert.equal(probe.asked.length, 2);
  probe.asked[1].resolve(true);
  await settle();
  assert.equal(connects, 1);
  assert.equal(timers.pending, 0);
});

test('a returning network overtakes the pause, and a probe answered too late connects nothing', async () => {
  const timers = new FakeTimers();
  const probe = probes();
  let connects = 0;
  const r = new Reconnection({ connect: () => connects++, reachable: probe.reachable, timers, random: () => 0.5 });
  assert.equal(r.now(), false, 'nothing to overtake');
  r.schedule('going-away');
  assert.equal(r.now(), true);
  assert.equal(connects, 1);
  assert.equal(timers.pending, 0);

  r.schedule('network');
  timers.runNext();
  assert.equal(r.now(), true, 'a probe in flight is overtaken too');
  assert.equal(probe.asked[0].signal.aborted, true);
  probe.asked[0].resolve(true);
  await settle();
  assert.equal(connects, 2, 'the stale probe connects nothing');
});

test('cancel drops the pause; attempts that keep failing back off; success starts afresh', () => {
  const timers = new FakeTimers();
  let connects = 0;
  const r = new Reconnection({ connect: () => connects++, reachable: async () => true, timers, random: () => 0.5 });
  r.schedule('refused');
  r.cancel();
  assert.equal(timers.pending, 0);
  assert.equal(connects, 0);
  assert.equal(r.failures, 1, 'the refusal counted');
  r.succeeded();
  const delays = [];
  for (let i = 0; i < 6; i++) delays.push(r.schedule('network'));
  assert.equal(r.failures, 6);
  // The first few network failures come back at once; after that, as refused.
  assert.ok(delays.slice(0, 3).every((d) => d <= 500), String(delays));
  assert.ok(delays[5] >= 750, String(delays));
  r.succeeded();
  assert.equal(r.failures, 0);
  assert.ok(r.schedule('network') <= 500);
});
