/**
 * When the player tries again, by why the last attempt ended. A pure module, so that the policy
 * can be tested apart from any browser (gateway/src/test/web/).
 *
 * - `network`: the gateway could not be reached (socket lost, connect timeout, ICE gone). Waiting
 *   out a backoff would leave the viewer dark long after the network is back, so the player
 *   instead probes the gateway cheaply about once a second and connects as soon as it answers.
 * - `refused`: the gateway answered but could not serve this attempt: capped exponential backoff.
 * - `busy`: the stream or gateway is full: slowly.
 * - `going-away`: the gateway said bye (shutting down or restarting): every viewer got it at once,
 *   so each waits a random share of a few seconds before probing, and a crowd comes back spread
 *   out instead of in one burst.
 */

export const PROBE_INTERVAL_MS = 1000;
export const PROBE_TIMEOUT_MS = 1000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const BUSY_MS = 10000;
const GOING_AWAY_SPREAD_MS = 5000;

/**
 * Milliseconds to wait before the next attempt (or, for `network` and `going-away`, before the
 * first probe).
 * @param {'network'|'refused'|'busy'|'going-away'} kind
 * @param {number} failures - attempts in a row that did not play
 * @param {() => number} random - uniform in [0, 1)
 */
export function retryDelay(kind, failures, random = Math.random) {
  switch (kind) {
    case 'busy':
      return Math.round(BUSY_MS * (1 + 0.5 * random()));
    case 'going-away':
      return Math.round(250 + GOING_AWAY_SPREAD_MS * random());
    case 'refused':
      // "Equal jitter": half the step fixed, half random, so viewers refused together drift apart.
      return Math.round(Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures) * (0.5 + 0.5 * random()));
    default:
      return Math.round(100 + 400 * random());
  }
}

/** Milliseconds until the next probe of a gateway that did not answer the last one. */
export function probeDelay(random = Math.random) {
  return Math.round(PROBE_INTERVAL_MS * (0.75 + 0.5 * random()));
}
