import type { ServerResponse } from 'node:http';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { reportStreamEvent } from '../shared/traffic.ts';

interface EventStream {
  response: ServerResponse;
  /** Set by the `sse-drop` fault: the stream is cut just before it would deliver a completion. */
  dropBeforeCompletion: boolean;
  keepAlive: NodeJS.Timeout;
}

/** Options of {@link OxenEventHub}. */
export interface OxenEventHubOptions {
  keepAliveIntervalMs: number;
  /** Mix unrelated event types into the stream, as Oxen's per-user stream does. */
  unrelatedEvents: boolean;
}

/**
 * Oxen's `GET /api/events`: one stream per connection, events only for connections open at the moment
 * they fire (no buffering, no replay), `: keep-alive` comments while idle, and other event types mixed in.
 */
export class OxenEventHub {
  #streams = new Set<EventStream>();
  #options: OxenEventHubOptions;
  /** How many streams were ever opened. */
  opened = 0;

  constructor(options: OxenEventHubOptions) {
    this.#options = options;
  }

  /** How many streams are open now. */
  get openCount(): number {
    return this.#streams.size;
  }

  /** Starts an event stream on a response. */
  open(options: { response: ServerResponse; dropBeforeCompletion: boolean }): void {
    const { response } = options;
    this.opened += 1;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    const keepAlive = setInterval(() => {
      if (!response.destroyed) response.write(': keep-alive\n\n');
    }, this.#options.keepAliveIntervalMs);
    keepAlive.unref();
    const stream: EventStream = { response, dropBeforeCompletion: options.dropBeforeCompletion, keepAlive };
    this.#streams.add(stream);
    response.on('close', () => {
      clearInterval(keepAlive);
      this.#streams.delete(stream);
    });
    if (this.#options.unrelatedEvents) {
      this.#write(stream, 'deployment_status', { deployment: 'sim-gpu-pool', status: 'ready', replicas: 1 });
    }
  }

  #write(stream: EventStream, event: string, data: unknown): void {
    if (stream.response.destroyed || stream.response.writableEnded) return;
    const text = JSON.stringify(data);
    stream.response.write(`event: ${event}\ndata: ${text}\n\n`);
    reportStreamEvent({ route: 'GET /api/events', event, data: text });
  }

  /** Announces that a job started, through event types a client must ignore. */
  publishStarted(options: { generationId: string; model: string }): void {
    if (!this.#options.unrelatedEvents) return;
    for (const stream of this.#streams) {
      this.#write(stream, 'media_generation_progress', {
        generation_id: options.generationId,
        status: 'processing',
        media_type: 'image',
        model: options.model,
        progress: 0.5,
      });
      this.#write(stream, 'deployment_status', { deployment: 'sim-gpu-pool', status: 'busy', replicas: 1 });
    }
  }

  /** Sends `media_generation_completed` to every stream open now. */
  publishCompleted(data: Record<string, unknown>): void {
    for (const stream of this.#streams) {
      if (stream.dropBeforeCompletion) {
        stream.response.socket?.destroy();
        stream.response.destroy();
        this.#streams.delete(stream);
        clearInterval(stream.keepAlive);
        continue;
      }
      this.#write(stream, 'media_generation_completed', data);
    }
  }

  /** Ends every stream. */
  close(): void {
    for (const stream of this.#streams) {
      clearInterval(stream.keepAlive);
      stream.response.destroy();
    }
    this.#streams.clear();
  }
}

/** `GET /api/events`: opens an event stream on the hub; the `sse-drop` fault cuts it before a completion. */
export function oxenEventRoutes(options: { events: OxenEventHub }): RouteDefinitions {
  return {
    'GET /api/events': (context) => {
      options.events.open({
        response: context.response,
        dropBeforeCompletion: context.fault?.kind === 'sse-drop',
      });
      context.record.status = 200;
      return { streaming: true };
    },
  };
}
