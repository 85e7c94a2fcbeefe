import { RetouchError } from '@retouch/core';
import { Redis } from 'ioredis';

/**
 * Where Redis is: a `redis://` (or `rediss://` for TLS) URL, or its parts. Every queue, worker, shared
 * limit and budget of one deployment must name the same Redis.
 *
 * @example
 * const connection: RedisConnection = 'redis://:secret@redis.internal:6379/0';
 * const same: RedisConnection = { host: 'redis.internal', port: 6379, password: 'secret', db: 0 };
 */
export type RedisConnection =
  | string
  | {
      /** @default '127.0.0.1' */
      host?: string;
      /** @default 6379 */
      port?: number;
      /** For Redis ACL users. */
      username?: string;
      /** Never written to errors, logs or Redis. */
      password?: string;
      /** The database number. @default 0 */
      db?: number;
      /** Connect over TLS. @default false */
      tls?: boolean;
    };

/** The settings Redis clients are made from: ioredis and BullMQ (which makes its own) both take them. */
export interface RedisClientSettings {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** Present (empty: the system's certificates) to connect over TLS. */
  tls?: Record<string, never>;
}

/** A checked connection: the settings Redis clients are made from, and a description without secrets. */
export interface ResolvedRedisConnection {
  /** The client settings. */
  readonly options: RedisClientSettings;
  /** `redis://host:port/db`, without credentials: safe in messages. */
  readonly description: string;
}

/**
 * Checks a {@link RedisConnection} before anything connects; throws a `RetouchError` naming the field
 * and the fix. `where` names the option in messages, e.g. `createEditQueue: connection`.
 */
export function resolveRedisConnection(connection: unknown, where: string): ResolvedRedisConnection {
  const fail = (message: string): never => {
    throw new RetouchError({ message: `${where} ${message}` });
  };
  let host = '127.0.0.1';
  let port = 6379;
  let db = 0;
  let tls = false;
  let username: string | undefined;
  let password: string | undefined;
  if (typeof connection === 'string') {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      return fail(
        'must be a redis:// URL such as "redis://127.0.0.1:6379", or { host, port }; the value given is not a URL',
      );
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      fail(`must be a redis:// or rediss:// URL, not ${url.protocol}//…`);
    }
    host = url.hostname.replace(/^\[|\]$/g, '') || host;
    port = url.port ? Number(url.port) : port;
    const path = url.pathname.replace(/^\//, '');
    if (path !== '') {
      if (!/^\d+$/.test(path))
        fail(`has "/${path}" where the database number goes, e.g. redis://host:6379/0`);
      db = Number(path);
    }
    tls = url.protocol === 'rediss:';
    if (url.username) username = decodeURIComponent(url.username);
    if (url.password) password = decodeURIComponent(url.password);
  } else if (typeof connection === 'object' && connection !== null) {
    const value = connection as Record<string, unknown>;
    const known = ['host', 'port', 'username', 'password', 'db', 'tls'];
    const unknown = Object.keys(value).filter((key) => !known.includes(key));
    if (unknown.length > 0)
      fail(`has an unknown key "${unknown[0]}"; use ${known.join(', ')}, or a redis:// URL`);
    if (value.host !== undefined) {
      if (typeof value.host !== 'string' || value.host.trim() === '') fail('.host must be a host name');
      host = value.host as string;
    }
    if (value.port !== undefined) port = value.port as number;
    if (value.db !== undefined) {
      if (!Number.isInteger(value.db) || (value.db as number) < 0) fail('.db must be a whole number ≥ 0');
      db = value.db as number;
    }
    if (value.tls !== undefined) {
      if (typeof value.tls !== 'boolean') fail('.tls must be true or false');
      tls = value.tls as boolean;
    }
    if (value.username !== undefined) {
      if (typeof value.username !== 'string') fail('.username must be a string');
      username = value.username as string;
    }
    if (value.password !== undefined) {
      if (typeof value.password !== 'string') fail('.password must be a string');
      password = value.password as string;
    }
  } else {
    fail('is required: a redis:// URL such as "redis://127.0.0.1:6379", or { host, port }');
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    fail(`has port ${String(port)}; a port is a whole number from 1 to 65535`);
  }
  const options: RedisClientSettings = {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls: {} } : {}),
  };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { options, description: `${tls ? 'rediss' : 'redis'}://${shownHost}:${port}/${db}` };
}

/**
 * Opens an ioredis client. `blocking` clients (a worker's) retry commands for as long as Redis is
 * away, as BullMQ requires; the others fail a command after a few tries, so a caller hears of an outage.
 */
export function openRedis(options: { connection: ResolvedRedisConnection; blocking?: boolean }): Redis {
  const client = new Redis({
    ...options.connection.options,
    maxRetriesPerRequest: options.blocking ? null : 3,
    // An unanswered command must not hold a process open forever; Redis itself answers in microseconds.
    connectTimeout: 10_000,
  });
  // ioredis reports connection errors as events and reconnects by itself; without a listener they would
  // be printed with the connection's options (the password included).
  client.on('error', () => {});
  return client;
}

/** Closes a client politely, or at once if Redis does not answer. */
export async function quit(client: Redis | undefined): Promise<void> {
  if (!client) return;
  try {
    if (client.status === 'ready') {
      await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    }
  } catch {
    // already closing
  }
  client.disconnect();
}
