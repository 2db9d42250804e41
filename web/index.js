/** Stream list: polls /api/streams and links each stream to its viewer page. */
const REFRESH_MS = 3000;

const rows = document.getElementById('streams');
// A token given to this page opens the streams it may see, and is handed on to their viewers.
const token = new URLSearchParams(location.search).get('token');
const withToken = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);
const status = document.getElementById('status');
const wallLink = document.getElementById('wall-link');

function el(tag, props, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function row(s) {
  const state = [el('span', { className: `state state-${s.state}` }, s.state ?? '—')];
  if (s.error) state.push(el('small', { className: 'source-error' }, s.error));
  return el('tr', {},
    el('td', {}, el('a', { href: withToken(`/view/${encodeURIComponent(s.name)}`) }, s.name)),
    el('td', {}, s.kind ?? '—'),
    el('td', {}, ...state),
    el('td', {}, s.width > 0 && s.height > 0 ? `${s.width}×${s.height}` : '—'),
    el('td', { className: 'num' }, s.fps > 0 ? String(Number(s.fps.toFixed(1))) : '—'),
    el('td', { className: 'num' }, String(s.viewers ?? 0)),
  );
}

async function refresh() {
  try {
    const res = await fetch(withToken('/api/streams'), { cache: 'no-store', signal: AbortSignal.timeout(REFRESH_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const streams = await res.json();
    if (!Array.isArray(streams)) throw new Error('unexpected response');
    rows.replaceChildren(...streams.map(row));
    const names = streams.map((s) => s.name).join(',');
    wallLink.href = token ? `/wall?streams=${encodeURIComponent(names)}&token=${encodeURIComponent(token)}` : `/wall?streams=${encodeURIComponent(names)}`;
    wallLink.hidden = streams.length < 2;
    status.textContent = streams.length ? '' : 'No streams are configured.';
    status.classList.remove('problem');
  } catch (err) {
    // Rows from the last good answer stay; they are more useful than an empty table.
    status.textContent = `Cannot load the stream list (${err.message}). Retrying…`;
    status.classList.add('problem');
  }
  setTimeout(refresh, REFRESH_MS);
}

refresh();
