/**
 * rollcall's metrics, kept in a prom-client registry and rendered in the Prometheus text exposition
 * format by `GET /metrics` (loopback only, see src/http/metrics.ts); nothing leaves the machine
 * unless someone scrapes it on 127.0.0.1.
 *
 * The small classes here wrap prom-client's so call sites stay one line (`metrics.rest429.inc({ route })`)
 * and so tests and `status` can read a counter synchronously: prom-client's own `get()` is async.
 * Labels are declared up front (prom-client refuses undeclared ones) and written sorted by name.
 * @see https://github.com/siimon/prom-client
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
import client from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/**
 * Label names in code-unit order, as `labelNames` are sorted below: they are ASCII identifiers, and
 * `localeCompare` would page in ICU's collation data (1.6 MiB of RSS) for the first counter bumped.
 */
function byName([a]: [string, string], [b]: [string, string]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(byName));
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(byName));
}

/** A value that only goes up (requests served, 429s received…). */
export class Counter {
  readonly kind = 'counter';
  private readonly inner: client.Counter;
  /** What has been counted, per label set: prom-client's `get()` is async, `status` and tests are not. */
  private readonly totals = new Map<string, number>();
  constructor(
    registry: client.Registry,
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
  ) {
    this.inner = new client.Counter({ name, help, labelNames: [...labelNames].sort(), registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot go down`);
    this.inner.inc(sorted(labels), by);
    const key = keyOf(labels);
    this.totals.set(key, (this.totals.get(key) ?? 0) + by);
  }

  /**
   * For totals another part keeps itself (the message editor's stats): counts the difference at
   * scrape time. Must only be fed a number that never goes down.
   */
  setTotal(value: number, labels: Labels = {}): void {
    const delta = value - this.get(labels);
    if (delta > 0) this.inc(labels, delta);
  }

  /** The current value for `labels` (0 if never counted); for tests and status output. */
  get(labels: Labels = {}): number {
    return this.totals.get(keyOf(labels)) ?? 0;
  }
}

/** A value read at scrape time (connected or not, seconds since the last event…). */
export class Gauge {
  readonly kind = 'gauge';
  private readonly inner: client.Gauge;
  constructor(
    registry: client.Registry,
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
  ) {
    this.inner = new client.Gauge({ name, help, labelNames: [...labelNames].sort(), registers: [registry] });
  }

  set(value: number, labels: Labels = {}): void {
    this.inner.set(sorted(labels), value);
  }
}

/** Observations counted into fixed cumulative buckets (latencies). */
export class Histogram {
  readonly kind = 'histogram';
  private readonly inner: client.Histogram;
  constructor(
    registry: client.Registry,
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    labelNames: readonly string[],
  ) {
    this.inner = new client.Histogram({ name, help, buckets: [...buckets].sort((a, b) => a - b), labelNames: [...labelNames].sort(), registers: [registry] });
  }

  observe(value: number, labels: Labels = {}): void {
    this.inner.observe(sorted(labels), value);
  }
}

type Metric = Counter | Gauge | Histogram;

/** A prom-client registry plus the wrappers above by name; `render()` is the body of `GET /metrics`. */
export class MetricsRegistry {
  readonly prom = new client.Registry();
  /** `text/plain; version=0.0.4; charset=utf-8`, what Prometheus expects for the text format. */
  readonly contentType: string = this.prom.contentType;
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors = new Set<() => void>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(name, 'counter', () => new Counter(this.prom, name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(name, 'gauge', () => new Gauge(this.prom, name, help, labelNames));
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    return this.add(name, 'histogram', () => new Histogram(this.prom, name, help, buckets, labelNames));
  }

  /** `fn` runs before every render, to set gauges from live state. Returns an unsubscribe. */
  onCollect(fn: () => void): () => void {
    this.collectors.add(fn);
    return () => this.collectors.delete(fn);
  }

  /**
   * Node's and the process's own metrics (prom-client's defaults): CPU, resident memory, heap, open
   * file descriptors, GC, and the event-loop lag (`nodejs_eventloop_lag_seconds` and its
   * percentiles from `perf_hooks.monitorEventLoopDelay`): a slow handler or a synchronous burst
   * shows there before Discord's 3 s deadline is missed.
   */
  collectProcessMetrics(): void {
    client.collectDefaultMetrics({ register: this.prom, eventLoopMonitoringPrecision: 10 });
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) collect();
    return this.prom.metrics();
  }

  private add<M extends Metric>(name: string, kind: M['kind'], make: () => M): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} already registered as a ${existing.kind}`);
      return existing as M;
    }
    const metric = make();
    this.metrics.set(name, metric);
    return metric;
  }
}

/** The process-wide registry `/metrics` renders. */
export const registry = new MetricsRegistry();
registry.collectProcessMetrics();

/** Seconds; Discord allows 3 s for the first answer, so the buckets are dense below that. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5] as const;

/**
 * The metrics rollcall exports, created once. Services and the REST façade count into these; the
 * names are the contract with whoever scrapes them (see docs/operations.md).
 */
export const metrics = {
  interactions: registry.counter('rollcall_interactions_total', 'Interactions received, by type (ping, command:<name>, component:<key>, autocomplete:<name>) and outcome.', ['type', 'outcome']),
  interactionSeconds: registry.histogram('rollcall_interaction_duration_seconds', 'Time to the first HTTP answer to Discord, by interaction type.', LATENCY_BUCKETS, ['type']),
  signatureFailures: registry.counter('rollcall_signature_failures_total', 'POST /interactions refused for a missing, stale or wrong Ed25519 signature (also counted as outcome bad_signature).'),
  restResponses: registry.counter('rollcall_discord_rest_responses_total', 'Responses from Discord REST, by method, rate-limit route and status.', ['method', 'route', 'status']),
  rest429: registry.counter('rollcall_discord_rest_429_total', 'HTTP 429 responses from Discord REST, by rate-limit route.', ['route']),
  restRateLimitWaits: registry.counter('rollcall_discord_rate_limit_waits_total', 'Times @discordjs/rest paused a request for a rate limit, by route and whether it was global.', ['route', 'global']),
  gatewayReconnects: registry.counter('rollcall_gateway_reconnects_total', 'Gateway reconnections after the first session, by kind (resume or new_session).', ['kind']),
  gatewayCloses: registry.counter('rollcall_gateway_closes_total', 'Gateway socket closes, by close code.', ['code']),
  editsCoalesced: registry.counter('rollcall_message_edits_coalesced_total', 'Changes to a message that needed no edit of their own because a later edit covered them.'),
  edits: registry.counter('rollcall_message_edits_total', 'Message edits, by result: sent to Discord, or failed for good.', ['result']),
};
