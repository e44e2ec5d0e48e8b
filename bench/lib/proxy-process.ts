/**
 * The cluster test's round-robin proxy as a process of its own, for `npm run bench -- cluster
 * --proxy node`: in the bench's process it would share one event loop with the load generator.
 * `node --import tsx bench/lib/proxy-process.ts <upstream>…` prints its URL on the first line and
 * runs until it is stopped.
 */
import { startRoundRobinProxy } from '../../tests/helpers/round-robin-proxy.js';

const proxy = await startRoundRobinProxy(process.argv.slice(2));
console.log(proxy.url);
process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
