/**
 * What crossed the wire (REST calls, gateway frames, interactions) as a stream of events for tests,
 * the SSE endpoint and humans — and the counters tests assert on.
 */
import { EventEmitter } from 'node:events';

export type WireEvent =
  | {
      kind: 'rest';
      at: number;
      method: string;
      path: string;
      route: string;
      status: number;
      durationMs: number;
      rateLimit?: Record<string, string>;
      fault?: string;
      error?: { code: number; message: string };
    }
  | { kind: 'gateway'; at: number; direction: 'in' | 'out'; sessionId: string | null; op: number; t?: string | null; s?: number | null; d?: unknown }
  | { kind: 'gateway-close'; at: number; sessionId: string | null; code: number; reason: string; by: 'client' | 'server' }
  | { kind: 'interaction'; at: number; id: string; type: number; via: 'http' | 'gateway'; name?: string; customId?: string; userId: string; status: number; responseType?: number; error?: string }
  | { kind: 'interaction-response'; at: number; id: string; via: 'http' | 'callback'; type: number }
  | { kind: 'control'; at: number; action: string; detail?: unknown }
  /** A voice gateway frame (heartbeats left out); `op` -1 is a close, `d.close` its code. */
  | { kind: 'voice'; at: number; direction: 'in' | 'out'; userId: string | null; op: number; d?: unknown };

/** Distributive Omit, so each variant keeps its own fields. */
export type WireEventInput = WireEvent extends infer E ? (E extends WireEvent ? Omit<E, 'at'> : never) : never;

export interface CountersSnapshot {
  /** Every 429 the emulator sent (rate limits and injected 429s). */
  rateLimited: number;
  /** Requests per route key, e.g. `PATCH /channels/:id/messages/:id`. */
  requests: Record<string, number>;
  /** 429s per route key. */
  rateLimitedByRoute: Record<string, number>;
  /** Successful message edits (channel PATCH, webhook PATCH, UPDATE_MESSAGE responses). */
  edits: number;
  /** Messages created (any author, any route). */
  messagesCreated: number;
  /** Gateway dispatches sent (all sessions). */
  dispatches: number;
  /** Interactions sent to the bot. */
  interactions: number;
  /** Emulator bugs caught by a last-resort handler (answered 500 or closed 4000); tests assert 0. */
  internalErrors: number;
}

export class Counters {
  rateLimited = 0;
  requests: Record<string, number> = {};
  rateLimitedByRoute: Record<string, number> = {};
  edits = 0;
  messagesCreated = 0;
  dispatches = 0;
  interactions = 0;
  internalErrors = 0;

  request(route: string): void {
    this.requests[route] = (this.requests[route] ?? 0) + 1;
  }

  limited(route: string): void {
    this.rateLimited += 1;
    this.rateLimitedByRoute[route] = (this.rateLimitedByRoute[route] ?? 0) + 1;
  }

  internalError(): void {
    this.internalErrors += 1;
  }

  snapshot(): CountersSnapshot {
    return {
      rateLimited: this.rateLimited,
      requests: { ...this.requests },
      rateLimitedByRoute: { ...this.rateLimitedByRoute },
      edits: this.edits,
      messagesCreated: this.messagesCreated,
      dispatches: this.dispatches,
      interactions: this.interactions,
      internalErrors: this.internalErrors,
    };
  }

  reset(): void {
    this.rateLimited = 0;
    this.requests = {};
    this.rateLimitedByRoute = {};
    this.edits = 0;
    this.messagesCreated = 0;
    this.dispatches = 0;
    this.interactions = 0;
    this.internalErrors = 0;
  }
}

/** A bounded log of wire events that also emits each one as `event`. */
export class WireLog extends EventEmitter {
  readonly #recent: WireEvent[] = [];

  constructor(
    private readonly capacity = 2000,
    private readonly print = false,
  ) {
    super();
    this.setMaxListeners(100);
  }

  push(input: WireEventInput): WireEvent {
    const event = { ...input, at: Date.now() } as WireEvent;
    this.#recent.push(event);
    if (this.#recent.length > this.capacity) this.#recent.shift();
    if (this.print) console.log(describeWireEvent(event));
    this.emit('event', event);
    return event;
  }

  get recent(): readonly WireEvent[] {
    return this.#recent;
  }
}

/** One human line for an event (used by `logRequests` and the CLI). */
export function describeWireEvent(e: WireEvent): string {
  switch (e.kind) {
    case 'rest':
      return `REST ${e.method} ${e.path} → ${e.status}${e.fault ? ` (${e.fault})` : ''}${e.rateLimit?.['X-RateLimit-Remaining'] !== undefined ? ` [remaining ${e.rateLimit['X-RateLimit-Remaining']}]` : ''}`;
    case 'gateway':
      return `GW ${e.direction === 'out' ? '→' : '←'} op ${e.op}${e.t ? ` ${e.t}` : ''}${e.s ? ` s=${e.s}` : ''}`;
    case 'gateway-close':
      return `GW closed ${e.code} by ${e.by} ${e.reason}`;
    case 'interaction':
      return `INTERACTION type ${e.type} ${e.name ?? e.customId ?? ''} by ${e.userId} → HTTP ${e.status}${e.responseType ? ` type ${e.responseType}` : ''}${e.error ? ` (${e.error})` : ''}`;
    case 'interaction-response':
      return `INTERACTION ${e.id} response type ${e.type} via ${e.via}`;
    case 'control':
      return `CONTROL ${e.action}`;
    case 'voice':
      return `VOICE ${e.direction === 'out' ? '→' : '←'} ${e.op === -1 ? `close ${(e.d as { close?: number } | undefined)?.close}` : `op ${e.op}`}`;
  }
}
