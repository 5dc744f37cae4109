// nextHopProtocol says what carried this page: http/1.1, h2 or h3. A browser opens its
// WebSocket over the connection it already has to the origin, so the socket follows the page.
const protocol = performance.getEntriesByType('navigation')[0]?.nextHopProtocol ?? 'unknown';
document.getElementById('protocol').textContent = protocol;

const socket = new WebSocket(`wss://${location.host}/ws`);
window.example = { protocol, socket, received: [] };
const log = document.getElementById('log');
socket.onopen = () => (document.getElementById('socket').textContent = 'open');
socket.onclose = (event) => (document.getElementById('socket').textContent = `closed (${event.code})`);
socket.onmessage = (event) => {
  window.example.received.push(event.data);
  log.textContent += `${event.data}\n`;
};
document.getElementById('form').onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  if (input.value && socket.readyState === WebSocket.OPEN) socket.send(input.value);
};
