/**
 * The wall page, /wall?streams=a,b,c: every stream in one grid over one connection. Query:
 * streams (comma-separated), columns, token, relay=1, fit=contain|cover.
 */
import './gateway-wall.js';

const params = new URLSearchParams(location.search);
const wall = document.getElementById('wall');
const status = document.getElementById('status');
const streams = params.get('streams') ?? '';

if (!streams.split(',').some((name) => name.trim())) {
  status.textContent = 'No streams: open /wall?streams=NAME,NAME,... (the stream list is at /).';
  status.hidden = false;
}
for (const name of ['columns', 'token', 'fit']) {
  if (params.get(name)) wall.setAttribute(name, params.get(name));
}
if (params.get('relay') === '1') wall.setAttribute('relay', '');
wall.setAttribute('fill', '');
// The element starts once it has its streams; setting them last makes that one connection.
wall.setAttribute('streams', streams);
window.wall = wall;

// Ending the session on pagehide frees the gateway at once; the back/forward cache resumes it.
addEventListener('pagehide', () => wall.wall?.stop());
addEventListener('pageshow', (ev) => {
  if (ev.persisted) wall.wall?.start();
});
