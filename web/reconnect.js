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

// Attempts in a row that never played which may follow a successful probe at once.
const NETWORK_FREE_TRIES = 3;

/**
 * The pause between one viewer's attempts (a Player's, a Wall's): after a failed attempt it waits
 * out retryDelay, probing the gateway first when the network or the gateway went away, and then
 * connects; a returning network cuts the pause short.
 */
export class Reconnection {
  #connect;
  #reachable;
  #random;
  #timers;
  #failures = 0;
  #timer = null;
  #probing = null;

  /**
   * @param {object} options
   * @param {() => void} options.connect - starts the next attempt
   * @param {(signal: AbortSignal) => Promise<boolean>} options.reachable - whether the gateway answers a probe now
   * @param {() => number} [options.random]
   * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
   */
  constructor({ connect, reachable, random = Math.random, timers = globalThis }) {
    this.#connect = connect;
    this.#reachable = reachable;
    this.#random = random;
    this.#timers = timers;
  }

  /** Attempts in a row that did not play. */
  get failures() {
    return this.#failures;
  }

  /** Whether a pause or a probe is under way. */
  get waiting() {
    return this.#timer !== null || this.#probing !== null;
  }

  /** The viewer played: the next failure starts the backoff afresh. */
  succeeded() {
    this.#failures = 0;
  }

  /**
   * An attempt ended for a reason of `kind`: schedules the next, and returns the pause in ms
   * before it (or, after a network loss or a bye, before its first probe).
   */
  schedule(kind) {
    this.cancel();
    let delay = retryDelay(kind, this.#failures, this.#random);
    if (kind === 'network' && this.#failures >= NETWORK_FREE_TRIES) {
      // The gateway answers its probes but attempts keep failing (a proxy that drops WebSockets,
      // say): back off as if refused, or this viewer would hammer it twice a second.
      delay = Math.max(delay, retryDelay('refused', this.#failures - NETWORK_FREE_TRIES, this.#random));
    }
    this.#failures++;
    const probeFirst = kind === 'network' || kind === 'going-away';
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      if (probeFirst) this.#probe();
      else this.#connect();
    }, delay);
    return delay;
  }

  /** The network is back: a pause or probe under way gives way to an attempt at once; false if none was. */
  now() {
    if (!this.waiting) return false;
    this.cancel();
    this.#connect();
    return true;
  }

  /** Drops the pause or probe under way, if any. */
  cancel() {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#probing?.abort();
    this.#probing = null;
  }

  /** Probes the gateway about once a second and connects as soon as it answers. */
  async #probe() {
    const probing = new AbortController();
    this.#probing = probing;
    const up = await this.#reachable(probing.signal);
    if (this.#probing !== probing || probing.signal.aborted) return;
    this.#probing = null;
    if (up) {
      this.#connect();
    } else {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = null;
        this.#probe();
      }, probeDelay(this.#random));
    }
  }
}
