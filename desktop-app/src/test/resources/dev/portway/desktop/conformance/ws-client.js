// A WebSocket visitor on the npm package "ws": sends a text, a small binary and a 2 MiB binary message to an echo
// server, then closes with 4000 "bye", and prints what came back as one JSON line. Exits 2 if that takes over 20 s.
// Usage: node ws-client.js WS_MODULE_DIR URL
const [wsDir, url] = process.argv.slice(2);
const WebSocket = require(wsDir);
const crypto = require('crypto');

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const large = Buffer.alloc(2 * 1024 * 1024);
for (let i = 0; i < large.length; i++) large[i] = i % 251;
const small = Buffer.from(Array.from({length: 256}, (_, i) => i));
// *.localhost is this machine, as browsers resolve it.
const lookup = (host, opts, cb) => (opts && opts.all) ? cb(null, [{address: '127.0.0.1', family: 4}]) : cb(null, '127.0.0.1', 4);

const result = {messages: []};
const ws = new WebSocket(url, {lookup});
const timer = setTimeout(() => { console.log(JSON.stringify({error: 'timed out', ...result})); process.exit(2); }, 20000);
ws.on('open', () => { ws.send('hello ✓ text'); ws.send(small); ws.send(large); });
ws.on('message', (data, isBinary) => {
  result.messages.push(isBinary ? {binary: data.length, sha256: sha(data)} : {text: data.toString('utf8')});
  if (result.messages.length === 3) ws.close(4000, 'bye');
});
ws.on('close', (code, reason) => {
  clearTimeout(timer);
  result.closeCode = code;
  result.closeReason = reason.toString();
  console.log(JSON.stringify(result));
});
ws.on('error', (e) => { clearTimeout(timer); console.log(JSON.stringify({error: String(e), ...result})); process.exit(1); });
