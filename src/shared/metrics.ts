/**
 * A tiny in-process metrics registry rendered in the Prometheus text exposition format, so the Pi
 * needs no client library and nothing leaves the machine unless someone scrapes `/metrics` on
 * 127.0.0.1. Counters, gauges and histograms with string labels; nothing else.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export type Labels = Readonly<Record<string, string>>;

type Kind = 'counter' | 'gauge' | 'histogram';

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly kind: Kind;
  lines(): string[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** A value that only goes up (requests served, 429s received…). */
export class Counter implements Metric {
  readonly kind = 'counter';
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot go down`);
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  /**
   * For totals another part keeps itself (the message editor's stats): copies the value at scrape
   * time. Must only be fed a number that never goes down.
   */
  setTotal(value: number, labels: Labels = {}): void {
    this.values.set(keyOf(labels), { labels: { ...labels }, value });
  }

  /** The current value for `labels` (0 if never counted); for tests and status output. */
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  lines(): string[] {
    return [...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`);
  }
}

/** A value read at scrape time (connected or not, seconds since the last event…). */
export class Gauge implements Metric {
  readonly kind = 'gauge';
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(value: number, labels: Labels = {}): void {
    this.values.set(keyOf(labels), { labels: { ...labels }, value });
  }

  lines(): string[] {
    return [...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`);
  }
}

/** Observations counted into fixed cumulative buckets (latencies). */
export class Histogram implements Metric {
  readonly kind = 'histogram';
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => out.push(`${this.name}_bucket${labelText(s.labels, ['le', formatNumber(bound)])} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** Holds metrics by name; `render()` is the body of `GET /metrics`. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors = new Set<() => void>();

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, [...buckets].sort((a, b) => a - b)));
  }

  /** `fn` runs before every render, to set gauges from live state. Returns an unsubscribe. */
  onCollect(fn: () => void): () => void {
    this.collectors.add(fn);
    return () => this.collectors.delete(fn);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.kind}`, ...m.lines());
    }
    return `${out.join('\n')}\n`;
  }

  private add<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) {
      if (existing.kind !== metric.kind) throw new Error(`metric ${metric.name} already registered as a ${existing.kind}`);
      return existing as M;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

/** The process-wide registry `/metrics` renders. */
export const registry = new MetricsRegistry();

/** Seconds; Discord allows 3 s for the first answer, so the buckets are dense below that. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5] as const;

/**
 * The metrics rollcall exports, created once. Services and the REST façade count into these; the
 * names are the contract with whoever scrapes them (see docs/operations.md).
 */
export const metrics = {
  interactions: registry.counter('rollcall_interactions_total', 'Interactions received, by type (ping, command:<name>, component:<key>, autocomplete:<name>) and outcome.'),
  interactionSeconds: registry.histogram('rollcall_interaction_duration_seconds', 'Time to the first HTTP answer to Discord, by interaction type.', LATENCY_BUCKETS),
  restResponses: registry.counter('rollcall_discord_rest_responses_total', 'Responses from Discord REST, by method, rate-limit route and status.'),
  rest429: registry.counter('rollcall_discord_rest_429_total', 'HTTP 429 responses from Discord REST, by rate-limit route.'),
  restRateLimitWaits: registry.counter('rollcall_discord_rate_limit_waits_total', 'Times @discordjs/rest paused a request for a rate limit, by route and whether it was global.'),
  gatewayReconnects: registry.counter('rollcall_gateway_reconnects_total', 'Gateway reconnections after the first session, by kind (resume or new_session).'),
  gatewayCloses: registry.counter('rollcall_gateway_closes_total', 'Gateway socket closes, by close code.'),
  editsCoalesced: registry.counter('rollcall_message_edits_coalesced_total', 'Changes to a message that needed no edit of their own because a later edit covered them.'),
  edits: registry.counter('rollcall_message_edits_total', 'Message edits, by result: sent to Discord, or failed for good.'),
};
