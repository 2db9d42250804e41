// The player's reconnect policy (web/reconnect.js), run by node's own test runner from
// io.webrtcgw.web.PlayerModulesTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_INTERVAL_MS, probeDelay, retryDelay } from '../../../../web/reconnect.js';

/** A seeded generator, so that a failure can be replayed. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The most of {@code times} (ms) that fall in any window of {@code width} ms. */
function densest(times, width) {
  const sorted = [...times].sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] > width) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

test('a thousand viewers told bye come back spread out, not within one 150 ms window', () => {
  for (const seed of [1, 2, 3, 20261201]) {
    const random = seeded(seed);
    // Each waits its going-away delay, then probes; the gateway is back, so the first probe answers.
    const returns = Array.from({ length: 1000 }, () => retryDelay('going-away', 0, random));
    const inOneWindow = densest(returns, 150);
    assert.ok(inOneWindow <= 80, `seed ${seed}: ${inOneWindow} of 1000 viewers return within 150 ms`);
    assert.ok(Math.max(...returns) <= 6000, 'and all within a few seconds');
  }
});

test('after the network went away the first probe comes at once, then about once a second', () => {
  const random = seeded(7);
  for (let failures = 0; failures < 10; failures++) {
    const first = retryDelay('network', failures, random);
    assert.ok(first >= 100 && first <= 500, `first probe after ${first} ms`);
  }
  for (let i = 0; i < 1000; i++) {
    const next = probeDelay(random);
    assert.ok(next >= PROBE_INTERVAL_MS * 0.75 && next <= PROBE_INTERVAL_MS * 1.25, `next probe after ${next} ms`);
  }
});

test('a gateway that refuses is retried with a backoff that doubles up to 10 s, jittered', () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.equal(retryDelay('refused', 0, high), 500);
  assert.equal(retryDelay('refused', 0, low), 250);
  assert.equal(retryDelay('refused', 3, high), 4000);
  assert.equal(retryDelay('refused', 20, high), 10000, 'capped');
  assert.equal(retryDelay('refused', 20, low), 5000, 'and never below half the cap');
});

test('a full stream is retried slowly', () => {
  const random = seeded(9);
  for (let i = 0; i < 100; i++) {
    const delay = retryDelay('busy', i, random);
    assert.ok(delay >= 10000 && delay <= 15000, `busy retry after ${delay} ms`);
  }
});
