/**
 * Injected REST faults: the next `count` requests matching a method and route answer 429 or 5xx,
 * or are delayed — to test how the bot survives a bad minute of Discord.
 */

export interface FaultSpec {
  /** HTTP method, or `*` / omitted for any. */
  method?: string;
  /** A route template such as `/channels/:id/messages/:id` (param names do not matter), or `*`. */
  route: string;
  /** 429, 500, 502, 503 or 504. Omit for latency only. */
  status?: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests it applies to (default 1). */
  count?: number;
  /** Delay before answering (applies to each matching request). */
  latencyMs?: number;
  /**
   * Hold each matching request, unanswered and not yet applied, until released (the emulator's
   * `injectFault` returns the release; `DELETE /control/faults` releases too): a request stuck on the
   * network for as long as a test needs, whatever the machine's load.
   */
  hold?: boolean;
  /** For 429: the `retry_after` to send, in seconds (default 1). */
  retryAfter?: number;
  /** For 429: `user` (default), `global` or `shared`. */
  scope?: 'user' | 'global' | 'shared';
}

export interface ActiveFault extends Required<Pick<FaultSpec, 'route' | 'count'>> {
  method: string;
  status?: FaultSpec['status'];
  latencyMs: number;
  hold: boolean;
  retryAfter: number;
  scope: 'user' | 'global' | 'shared';
}

/** `/channels/:channel_id/messages/{message.id}` → `/channels/:id/messages/:id`. */
export function normalizeRoute(route: string): string {
  return route
    .replace(/\{[^}]+\}/g, (m) => (/emoji/i.test(m) ? ':emoji' : /token/i.test(m) ? ':token' : ':id'))
    .replace(/:(\w+)/g, (_, name: string) => (name === 'emoji' ? ':emoji' : name === 'token' ? ':token' : ':id'))
    .replace(/\/+$/, '');
}

export class FaultInjector {
  readonly #faults: ActiveFault[] = [];
  /** The requests each holding fault keeps, in the order they arrived. */
  readonly #held = new Map<ActiveFault, (() => void)[]>();

  /** Resolves when {@link release} lets this fault's held requests go. */
  held(fault: ActiveFault): Promise<void> {
    return new Promise((resolve) => this.#held.get(fault)?.push(resolve) ?? resolve());
  }

  /** Lets the requests held by `fault` (all faults' when none is named) go on, in the order they arrived. */
  release(fault?: ActiveFault): void {
    for (const [f, waiting] of this.#held) {
      if (fault && f !== fault) continue;
      for (const go of waiting.splice(0)) go();
    }
  }

  /** Adds the fault; the answer is the fault, to {@link release} what it holds. */
  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = {
      method: (spec.method ?? '*').toUpperCase(),
      route: spec.route === '*' ? '*' : normalizeRoute(spec.route),
      status: spec.status,
      count: spec.count ?? 1,
      latencyMs: spec.latencyMs ?? 0,
      hold: spec.hold ?? false,
      retryAfter: spec.retryAfter ?? 1,
      scope: spec.scope ?? 'user',
    };
    this.#faults.push(fault);
    // Kept after its uses are taken: the requests it holds wait for its release.
    if (fault.hold) this.#held.set(fault, []);
    return fault;
  }

  /** The fault for this request (consuming one of its uses), if any. */
  take(method: string, template: string): ActiveFault | undefined {
    const index = this.#faults.findIndex((f) => (f.method === '*' || f.method === method) && (f.route === '*' || f.route === template));
    if (index < 0) return undefined;
    const fault = this.#faults[index] as ActiveFault;
    fault.count -= 1;
    if (fault.count <= 0) this.#faults.splice(index, 1);
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
    this.release();
    this.#held.clear();
  }

  get pending(): readonly ActiveFault[] {
    return this.#faults;
  }
}
