import { createApp } from '../shared/app.js';
import { loadConfigOrExit } from '../shared/config.js';
import { createGateway } from './gateway.js';

/** `npm run start:gateway`: the gateway sidecar alone (the HTTP server runs in another process). */
const config = loadConfigOrExit();
const app = await createApp(config);
const gateway = createGateway(app);
await gateway.connect();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await gateway.destroy();
    await app.close();
    process.exit(0);
  });
}
