/* global process, Buffer */
// The floor: what any Node webhook must do and nothing more — node:http, a synchronous node:crypto
// Ed25519 check on one core (key object built once, same replay window), JSON.parse, a fixed answer.
// It shows how much of rollcall's cost is its framework and features, and, at 500 req/s, how much
// of the latency tail is the machine itself. PUBLIC_KEY and PORT come from the env.
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';

const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(process.env.PUBLIC_KEY, 'hex').toString('base64url') }, format: 'jwk' });

function authentic(req, body) {
  const signature = req.headers['x-signature-ed25519'];
  const timestamp = req.headers['x-signature-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Date.now() / 1000 - Number(timestamp);
  if (age > 300 || age < -60) return false;
  return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, 'hex'));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!authentic(req, body)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid request signature"}');
      return;
    }
    const interaction = JSON.parse(body.toString('utf8'));
    const answer = interaction.type === 1 ? { type: 1 } : { type: 4, data: { content: 'hello', flags: 64 } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
