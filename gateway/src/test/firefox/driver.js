// Drives Debian's Firefox ESR over WebDriver BiDi (puppeteer-core) for io.webrtcgw.testing.Firefox.
//
//   node driver.js FIREFOX PROFILE_DIR TRAP_PORT
//
// Commands come on stdin, one JSON object a line, each with an `id`:
//   {"id":1,"op":"navigate","url":"http://127.0.0.1:8080/view/x","timeoutMs":30000}
//   {"id":2,"op":"evaluate","expression":"document.title","frame":"#player","timeoutMs":5000}
//   {"id":3,"op":"call","function":"(a, b) => a + b","args":[1,2],"timeoutMs":5000}
//   {"id":4,"op":"close"}
// and each gets one line back on stdout: {"id":1,"ok":true,"value":...} or {"id":1,"ok":false,"error":"..."}.
// The first line out is {"ready":true,"pid":FIREFOX_PID,"version":"..."}. Promises are awaited;
// `frame` (optional) is a CSS selector of an <iframe> in the page, to run inside it.
// Everything else (Firefox's own output, page console, errors) goes to stderr.
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const [firefox, profile, trapPort] = process.argv.slice(2);
if (!firefox || !profile || !Number(trapPort)) {
  process.stderr.write('usage: node driver.js FIREFOX PROFILE_DIR TRAP_PORT\n');
  process.exit(2);
}

// Never let Firefox talk to another machine: every background service off, every service URL
// pointed at a closed loopback port, and as proxy for everything but loopback the test's trap on
// TRAP_PORT, which records what reaches it (so no host name is ever resolved here, and a request
// that would have left the machine is seen). Media goes where the page's ICE candidates say.
const dead = 'http://127.0.0.1:9/';
const prefs = {
  // Media: autoplay without a gesture, plain host candidates (no mDNS names, which would need
  // multicast to resolve), no default STUN server. (media.peerconnection.ice.force_interface
  // cannot confine ICE to `lo`: Firefox applies it only when it is empty.)
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.default_iceservers': '[]',
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': dead,
  'media.gmp-gmpopenh264.autoupdate': false,
  'media.gmp-widevinecdm.autoupdate': false,
  'media.gmp-widevinecdm.enabled': false,
  'media.eme.enabled': false,
  // Media never through the proxy.
  'media.peerconnection.disable_http_proxy': true,
  'media.peerconnection.ice.proxy_only_if_behind_proxy': false,
  // The trap as proxy for everything.
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': Number(trapPort),
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': Number(trapPort),
  'network.proxy.share_proxy_settings': true,
  'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
  'network.proxy.allow_hijacking_localhost': false,
  // A canary for the tests of this setup: a host name that, should the proxy ever be bypassed,
  // resolves to loopback here without asking DNS, so checking the trap never leaves the machine.
  'network.dns.localDomains': 'loopback-check.invalid',
  // Without this a refused proxy makes Firefox's own requests go direct, resolving their hosts.
  'network.proxy.failover_direct': false,
  // Networking that happens by itself.
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.dns.disableIPv6': true,
  'network.dns.native_https_query': false,
  'network.dns.use_https_rr_as_altsvc': false,
  'network.dns.echconfig.enabled': false,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.sntp.pools': '127.0.0.1',
  'captivedetect.canonicalURL': dead,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': dead,
  'browser.safebrowsing.provider.google4.updateURL': dead,
  'browser.safebrowsing.provider.mozilla.updateURL': dead,
  'browser.safebrowsing.update.enabled': false,
  'services.settings.server': dead,
  'services.sync.enabled': false,
  'identity.fxaccounts.enabled': false,
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.update.url': dead,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.systemAddon.update.url': dead,
  'extensions.update.enabled': false,
  'extensions.webservice.discoverURL': dead,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': dead,
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.documentServerURI': dead,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.newtabpage.activity-stream.default.sites': '',
  'browser.region.network.url': dead,
  'browser.region.update.enabled': false,
  'browser.search.geoip.url': dead,
  'browser.search.update': false,
  'browser.aboutHomeSnippets.updateUrl': dead,
  'browser.contentblocking.report.lockwise.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.urlbar.suggest.searches': false,
  'browser.urlbar.speculativeConnect.enabled': false,
  'browser.places.speculativeConnect.enabled': false,
  'browser.discovery.enabled': false,
  'browser.translations.enable': false,
  'browser.ml.enable': false,
  'geo.enabled': false,
  'geo.provider.network.url': dead,
  'geo.wifi.uri': dead,
  'dom.push.enabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': 'ws://127.0.0.1:9/',
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'privacy.query_stripping.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'nimbus.enabled': false,
};

const log = (line) => process.stderr.write(`[firefox-driver] ${line}\n`);
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let browser;
let page;
let closing = null;

async function close() {
  closing ??= (async () => {
    const child = browser?.process();
    try {
      await withTimeout(browser?.close(), 10_000, 'closing Firefox');
    } catch (err) {
      log(`closing Firefox failed (${err.message}); killing it`);
      child?.kill('SIGKILL');
    }
  })();
  return closing;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function target(command) {
  if (!command.frame) {
    return page.mainFrame();
  }
  const element = await page.$(command.frame);
  const frame = await element?.contentFrame();
  if (!frame) {
    throw new Error(`no iframe matches ${command.frame}`);
  }
  return frame;
}

async function run(command) {
  switch (command.op) {
    case 'navigate':
      await page.goto(command.url, { waitUntil: 'load', timeout: command.timeoutMs });
      return null;
    case 'evaluate':
      return (await target(command)).evaluate(command.expression);
    case 'call': {
      // Only the function's source travels to the page; it is compiled here to hand puppeteer a function.
      const fn = new Function(`return (${command.function});`)();
      return (await target(command)).evaluate(fn, ...(command.args ?? []));
    }
    default:
      throw new Error(`unknown op ${JSON.stringify(command.op)}`);
  }
}

async function handle(line) {
  let command;
  try {
    command = JSON.parse(line);
  } catch (err) {
    log(`not a command: ${line}`);
    return;
  }
  if (command.op === 'close') {
    await close();
    send({ id: command.id, ok: true, value: null });
    process.exit(0);
  }
  try {
    const value = await withTimeout(run(command), command.timeoutMs ?? 30_000, command.op);
    send({ id: command.id, ok: true, value: value ?? null });
  } catch (err) {
    send({ id: command.id, ok: false, error: err?.message ?? String(err) });
  }
}

async function main() {
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefox,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: prefs,
    // Firefox gets a home of its own inside the profile directory, so nothing outside it is touched.
    env: { ...process.env, HOME: profile, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_HEADLESS: '1',
      // A release build reads services.settings.server only with this set.
      MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 60_000,
    protocolTimeout: 120_000,
  });
  // stdout is for answers only: Firefox's own output goes to stderr.
  browser.process()?.stdout?.pipe(process.stderr);
  browser.process()?.stderr?.pipe(process.stderr);
  [page] = await browser.pages();
  page ??= await browser.newPage();
  page.on('console', (message) => log(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (err) => log(`page error: ${err?.message ?? err}`));
  send({ ready: true, pid: browser.process()?.pid ?? -1, version: await browser.version() });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => { handle(line); });
  // The test JVM went away (or closed our stdin): Firefox goes with it.
  lines.on('close', () => close().then(() => process.exit(0)));
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => close().then(() => process.exit(1)));
}

main().catch(async (err) => {
  log(`could not start Firefox: ${err?.stack ?? err}`);
  send({ ready: false, error: err?.message ?? String(err) });
  await close();
  process.exit(1);
});
