import { createLocalLimiter, pacingOf, shareOf, type AccountLimiter, type AccountLimits, type Admission } from '../limiter.js';
import type { SharedRedis } from './redis.js';
import { script } from './script.js';

/**
 * The account's limits shared by every replica, in Redis: the rules of `../limiter.ts` (concurrency, rolling cap,
 * smooth pacing, AIMD slow-down), decided in one Lua script per start, on Redis's clock (so replicas' clocks never
 * disagree about a window). Concurrency is a semaphore of leases: a sorted set of call ids scored by when their lease
 * expires; a replica refreshes the leases of its running calls every third of `leaseMs`, so a replica that dies
 * holds its slots for at most `leaseMs`. The slow-down (pause-until, current concurrency) is one hash every replica
 * reads at each start and writes after a 40209/40202.
 *
 * Lua rather than redis-semaphore plus rate-limiter-flexible's RateLimiterRedis: those are separate round trips
 * that cannot decide together (a semaphore lease taken while the rate says wait is held for nothing, a rate point
 * taken while the semaphore says no is lost), redis-semaphore waits by polling every few ms per waiting call, and
 * RateLimiterRedis counts fixed windows, which let up to twice the limit through in a rolling minute across a
 * window boundary — the upstream counts a rolling minute.
 *
 * Fail closed: every command that fails (Redis down, slow, full) switches the replica to its local share
 * (1/replicas of each limit, `shareOf`), counted by a local limiter that saw every start of this replica in shared
 * mode too — so a replica that held many of the account's slots when Redis went away starts no more until it is
 * under its share. When Redis answers again, the replica first registers its running calls as leases and its starts
 * of the window in the shared log (exactly: by their age), then returns to shared mode.
 */

/** Options of `createSharedLimiter`. */
export interface SharedLimiterOptions {
  /** How many replicas share the account: while Redis is unreachable each keeps to 1/replicas of every limit. */
  replicas: number;
  /** How long a lease outlives a replica that stopped refreshing it (died). Default 10 000 ms. */
  leaseMs?: number | undefined;
}

/** Why a start was refused, as the admission script says. */
const REASONS = ['granted', 'paused', 'concurrency', 'window', 'pace'] as const;

const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id, maxConc, maxPer = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local windowMs, burst, perMs, leaseMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local st = redis.call('HMGET', KEYS[3], 'concurrency', 'pausedUntil', 'tokens', 'refilledAt')
local conc = math.min(tonumber(st[1]) or maxConc, maxConc)
local paused = tonumber(st[2]) or 0
if now < paused then return {1, paused - now, conc} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local inFlight = redis.call('ZCARD', KEYS[1])
if inFlight >= conc then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {2, tonumber(first[2]) - now, conc}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[2]) >= maxPer then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {3, tonumber(first[2]) + windowMs - now + 1, conc}
end
local tokens = tonumber(st[3]) or burst
local refilledAt = tonumber(st[4]) or now
tokens = math.min(burst, tokens + math.max(0, now - refilledAt) * perMs)
if tokens < 1 then
  redis.call('HSET', KEYS[3], 'tokens', tostring(tokens), 'refilledAt', now)
  return {4, math.ceil((1 - tokens) / perMs), conc}
end
redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'refilledAt', now)
redis.call('ZADD', KEYS[1], now + leaseMs, id)
redis.call('ZADD', KEYS[2], now, id)
redis.call('PEXPIRE', KEYS[1], leaseMs * 2)
redis.call('PEXPIRE', KEYS[2], windowMs * 2)
redis.call('PEXPIRE', KEYS[3], 3600000)
return {0, inFlight + 1, conc}
`;

/** The call started: its start counts from now (see `acquire`). */
const STARTED = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
return 1
`;

const RELEASE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  local conc = tonumber(redis.call('HGET', KEYS[2], 'concurrency') or ARGV[3]) or 1
  if redis.call('ZCARD', KEYS[1]) + 1 >= conc then redis.call('PUBLISH', ARGV[2], '1') end
  return 1
end
return 0
`;

/** Registers leases (ARGV: leaseMs, windowMs, n, n ids) and starts (then pairs of id and age in ms) on Redis's clock. */
const REGISTER = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leaseMs, windowMs, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, 3 + n do redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[i]) end
for i = 4 + n, #ARGV, 2 do redis.call('ZADD', KEYS[2], 'NX', now - tonumber(ARGV[i + 1]), ARGV[i]) end
if n > 0 then redis.call('PEXPIRE', KEYS[1], leaseMs * 2) end
if #ARGV > 3 + n then redis.call('PEXPIRE', KEYS[2], windowMs * 2) end
return n
`;

const SLOW_DOWN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxConc = tonumber(ARGV[3])
local paused = math.max(tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0') or 0, now + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'pausedUntil', paused)
local conc = math.min(tonumber(redis.call('HGET', KEYS[1], 'concurrency') or ARGV[3]) or maxConc, maxConc)
if ARGV[1] == 'concurrency' then
  conc = math.max(1, math.floor(conc * 0.8))
  redis.call('HSET', KEYS[1], 'concurrency', conc)
end
redis.call('PEXPIRE', KEYS[1], 3600000)
return {conc, paused - now}
`;

const RECOVERED = `
local maxConc = tonumber(ARGV[1])
local conc = tonumber(redis.call('HGET', KEYS[1], 'concurrency') or ARGV[1]) or maxConc
if conc < maxConc then
  redis.call('HSET', KEYS[1], 'concurrency', conc + 1)
  return conc + 1
end
return maxConc
`;

/** Arguments per REGISTER call, so that one call stays small. */
const REGISTER_CHUNK = 1000;

/** The shared limiter of one replica. */
export function createSharedLimiter(redis: SharedRedis, limits: AccountLimits, options: SharedLimiterOptions): AccountLimiter {
  const local = createLocalLimiter(shareOf(limits, options.replicas), { mode: 'local-share' });
  const pacing = pacingOf(limits);
  const leaseMs = options.leaseMs ?? 10_000;
  const leases = redis.key('limits:leases');
  const starts = redis.key('limits:starts');
  const stateKey = redis.key('limits:state');
  const released = redis.key('limits:released');
  const admit = script(redis, 'backlinksAdmit', ADMIT);
  const release = script(redis, 'backlinksRelease', RELEASE);
  const started = script(redis, 'backlinksStarted', STARTED);
  const register = script(redis, 'backlinksRegister', REGISTER);
  const slowDown = script(redis, 'backlinksSlowDown', SLOW_DOWN);
  const recovered = script(redis, 'backlinksRecovered', RECOVERED);
  // Lease ids are unique across replicas.
  const leaseId = (id: string) => `${redis.replicaId}:${id}`;
  // What the last answer of Redis said, for state(): Redis is not asked for metrics.
  let concurrency = limits.maxConcurrency;
  let pausedUntil = 0;
  const wakeListeners: (() => void)[] = [];
  const wake = () => {
    for (const listener of wakeListeners) listener();
  };
  const shared = () => redis.mode() === 'shared';
  const fail = (error: unknown) => redis.failed(error);

  async function registerAll(ids: string[], recent: { id: string; ageMs: number }[]): Promise<void> {
    for (let i = 0; i < Math.max(ids.length, recent.length); i += REGISTER_CHUNK) {
      const leaseChunk = ids.slice(i, i + REGISTER_CHUNK).map(leaseId);
      const startChunk = recent.slice(i, i + REGISTER_CHUNK).flatMap((s) => [leaseId(s.id), s.ageMs]);
      await register([leases, starts], [leaseMs, pacing.windowMs, leaseChunk.length, ...leaseChunk, ...startChunk]);
    }
  }

  redis.subscribe('limits:released', wake);
  redis.onModeChange(wake);
  // Before shared mode resumes: what this replica runs and started while alone counts for everyone.
  redis.onReconnect(async () => {
    const t = Date.now();
    await registerAll(
      local.running(),
      local.recentStarts().map((s) => ({ id: s.id, ageMs: Math.max(0, t - s.at) })),
    );
  });
  // Leases of running calls outlive a call of any length, but not the replica.
  const heartbeat = setInterval(
    () => {
      const running = local.running();
      if (shared() && running.length > 0) registerAll(running, []).catch(fail);
    },
    Math.max(10, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  redis.onClose(() => clearInterval(heartbeat));

  return {
    async acquire(id): Promise<Admission> {
      if (shared()) {
        try {
          const [reason, ms, conc] = (await admit(
            [leases, starts, stateKey],
            [leaseId(id), limits.maxConcurrency, limits.maxPerWindow, pacing.windowMs, pacing.burst, pacing.perMs, leaseMs],
          )) as [number, number, number];
          concurrency = conc;
          pausedUntil = REASONS[reason] === 'paused' ? Date.now() + ms : 0;
          if (reason === 0) {
            local.record(id);
            // The upstream counts a call when it arrives, which may be well after Redis admitted it when this
            // process's event loop was busy: stamped again as it starts, so that it leaves the shared window no
            // earlier than it leaves the upstream's.
            started([starts], [leaseId(id)]).catch(() => undefined);
            return { granted: true };
          }
          return { granted: false, retryInMs: Math.max(1, ms) };
        } catch (error) {
          fail(error);
          // Still shared (a late reply being verified): ask again shortly rather than admit on the side.
          if (shared()) return { granted: false, retryInMs: 50 };
        }
      }
      return local.acquireNow(id);
    },
    release(id) {
      local.release(id);
      // Sent whenever the connection is up, also while a return to shared mode registers the running calls: one
      // that ends meanwhile must not stay registered.
      if (shared() || redis.client.status === 'ready') {
        release([leases, stateKey], [leaseId(id), released, limits.maxConcurrency]).catch((error: unknown) => {
          if (shared()) fail(error);
        });
      }
    },
    slowDown(kind, ms) {
      local.slowDown(kind, ms);
      if (!shared()) return;
      slowDown([stateKey], [kind, ms, limits.maxConcurrency])
        .then((reply) => {
          const [conc, pause] = reply as [number, number];
          concurrency = conc;
          pausedUntil = Date.now() + pause;
        })
        .catch(fail);
    },
    recovered() {
      local.recovered();
      if (!shared() || concurrency >= limits.maxConcurrency) return;
      recovered([stateKey], [limits.maxConcurrency])
        .then((conc) => {
          concurrency = conc as number;
        })
        .catch(fail);
    },
    state() {
      if (!shared()) return local.state();
      return { mode: 'shared', concurrency, pausedUntil: pausedUntil > Date.now() ? pausedUntil : 0 };
    },
    onWake(listener) {
      wakeListeners.push(listener);
    },
  };
}
