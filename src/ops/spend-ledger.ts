import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import pTimeout from 'p-timeout';
import type { ApiKeyEntry } from './config.js';

/**
 * What each API key spent today (UTC), against its daily cap. An operation first holds, atomically, what it may cost
 * (`reserve`), so that concurrent operations of one key cannot together pass its cap; when it ends, the hold is
 * replaced by what the upstream billed (`settle`).
 *
 * Two stores, one contract: Redis when a client is given (every replica shares the ledger, and it survives
 * restarts), else memory (this process only; reset on restart). The ledger counts in integer nano-dollars (the
 * upstream bills to 1e-5 USD), so sums are exact. It never holds a key: accounts are named by their `name=`, or by a
 * truncated SHA-256 of the key.
 *
 * Hand-written on purpose: rate-limiter-flexible's consume/reward could hold an amount and give back the rest, but
 * not hold "all that is left" when less than the most an operation may cost is, nor let the hold of a replica that
 * died expire, nor count a retried charge once; redis-semaphore counts slots, not dollars. Three small Lua scripts
 * (run by ioredis's `defineCommand`) do each step atomically. The price of charging once: one marker per charged
 * operation (its hold id, ~50 bytes), kept with the day's ledger.
 */

/** Nano-dollars per dollar. */
const NANO_PER_USD = 1e9;
/** How long a hold lasts if its operation never settles (its replica died): then it no longer counts. */
export const SPEND_HOLD_TTL_MS = 10 * 60_000;
/** How long a day's ledger stays in Redis: the day itself, and the next, for operations settling after midnight. */
export const SPEND_DAY_TTL_MS = 2 * 86_400_000;
/** The longest a ledger call may take before the ledger counts as unavailable. */
export const SPEND_TIMEOUT_MS = 2000;

/** Whose money an operation spends. */
export interface SpendAccount {
  /** Non-secret and stable: `n:<name>`, or `h:<first 16 hex digits of the key's SHA-256>` for an unnamed key. */
  id: string;
  /** The key's `name=` in API_KEYS, or null. */
  name: string | null;
  /** USD per UTC day, or null: uncapped (counted, never refused). */
  dailyCapUsd: number | null;
}

/** A key's figures for today. */
export interface SpendStatus {
  keyName: string | null;
  /** USD the upstream billed for this key's operations today. */
  spentUsd: number;
  /** USD held by this key's operations in flight (what they may still cost). */
  heldUsd: number;
  /** The daily cap, or null when uncapped. */
  capUsd: number | null;
  /** What operations may still hold today: cap − spent − held, at least 0; null when uncapped. */
  remainingUsd: number | null;
  /** When the day's ledger starts again from zero: the next 00:00 UTC. */
  resetAt: Date;
}

/** The ledger cannot be read or written (Redis unreachable or too slow): capped keys are refused, never let through. */
export class SpendUnavailableError extends Error {
  override readonly name = 'SpendUnavailableError';
  readonly code = 'SPEND_UNAVAILABLE';
  constructor(options?: ErrorOptions) {
    super('The spend ledger is unavailable.', options);
  }
}

/** What one operation holds, until it is settled. */
export interface SpendHold {
  readonly account: SpendAccount;
  /** The UTC day the hold counts against; its charges go to that day, even after midnight. */
  readonly day: string;
  readonly id: string;
  /** USD held (0 for an uncapped account). */
  readonly heldUsd: number;
}

/** The answer to a reservation: a hold, or a refusal with the figures that decided it. */
export type Reservation = { admitted: true; hold: SpendHold } | { admitted: false; status: SpendStatus };

export interface SpendLedger {
  /** Where the ledger lives. */
  readonly mode: 'redis' | 'memory';
  /** Today's figures of the account. Throws SpendUnavailableError. */
  status(account: SpendAccount): Promise<SpendStatus>;
  /**
   * Holds what an operation may cost: refused when less than `minUsd` is left today; otherwise holds `maxUsd`, or all
   * that is left when that is less. An uncapped account is admitted without a call to the store. Throws
   * SpendUnavailableError (the operation must then be refused).
   */
  reserve(account: SpendAccount, amount: { minUsd: number; maxUsd: number }): Promise<Reservation>;
  /**
   * Ends a hold and charges what the operation cost; returns the figures after. Never throws: when the store cannot be
   * reached, the charge waits in this process and is written, once, before the next call that reaches it (undefined).
   */
  settle(hold: SpendHold, costUsd: number): Promise<SpendStatus | undefined>;
  /** Charges a cost that arrived after its hold was settled (a call that outlived its operation); like `settle`. */
  charge(hold: SpendHold, costUsd: number): Promise<void>;
}

export interface SpendLedgerOptions {
  /** The shared Redis connection; none: the ledger is in this process's memory. */
  redis?: Redis | undefined;
  /** Prefix of the ledger's Redis keys. Default `backlinks:`. */
  keyPrefix?: string;
  /** Clock in ms, for the UTC day. Default `Date.now`. */
  now?: () => number;
  /** Default SPEND_HOLD_TTL_MS. */
  holdTtlMs?: number;
  /** Default SPEND_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Called with each failure of the store (for logs and metrics); the error never holds a key. */
  onError?: (error: unknown) => void;
}

/** The ledger's account for an API_KEYS entry. */
export function spendAccountOf(entry: string | ApiKeyEntry): SpendAccount {
  const { key, name, dailyCapUsd } = typeof entry === 'string' ? { key: entry, name: undefined, dailyCapUsd: undefined } : entry;
  const id = name === undefined ? `h:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` : `n:${name}`;
  return { id, name: name ?? null, dailyCapUsd: dailyCapUsd ?? null };
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const toNano = (usd: number): number => Math.round(usd * NANO_PER_USD);
const toUsd = (nano: number): number => nano / NANO_PER_USD;
const nextMidnight = (day: string): Date => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000);

/** Nano-dollars spent and held in one day's ledger of one account. */
interface Figures {
  spent: number;
  held: number;
}

/** A reservation's answer from the store, in nano-dollars. */
interface Admission extends Figures {
  admitted: boolean;
  hold: number;
}

/** Where a ledger keeps its figures; `bucket` names one account's day. */
interface Store {
  read(bucket: string): Promise<Figures>;
  /** Admission and hold in one step; the figures are those before the hold (hold 0 when refused). */
  reserve(bucket: string, holdId: string, cap: number, min: number, max: number, holdTtlMs: number): Promise<Admission>;
  /** Drops the hold (if any) and adds the charge once per `chargeId`; the figures are those after. */
  settle(bucket: string, holdId: string | null, chargeId: string, charge: number): Promise<Figures>;
}

/** The in-memory store: one process's ledger, gone on restart. Same rules as Redis's: hold deadlines, charges once. */
function createMemoryStore(clock: () => number): Store {
  interface Bucket {
    spent: number;
    holds: Map<string, { amount: number; deadline: number }>;
    charged: Set<string>;
  }
  const buckets = new Map<string, Bucket>();
  const bucketOf = (bucket: string): Bucket => {
    let entry = buckets.get(bucket);
    if (!entry) {
      // Days before yesterday are over: their buckets go when a new one starts.
      const oldest = utcDay(Date.parse(`${bucket.slice(0, 10)}T00:00:00.000Z`) - 86_400_000);
      for (const name of buckets.keys()) if (name.slice(0, 10) < oldest) buckets.delete(name);
      entry = { spent: 0, holds: new Map(), charged: new Set() };
      buckets.set(bucket, entry);
    }
    return entry;
  };
  const figures = (entry: Bucket): Figures => {
    const now = clock();
    let held = 0;
    for (const [id, hold] of entry.holds) {
      if (hold.deadline > now) held += hold.amount;
      else entry.holds.delete(id);
    }
    return { spent: entry.spent, held };
  };
  return {
    read: (bucket) => Promise.resolve(figures(bucketOf(bucket))),
    reserve(bucket, holdId, cap, min, max, holdTtlMs) {
      const entry = bucketOf(bucket);
      const before = figures(entry);
      const left = cap - before.spent - before.held;
      if (left < min) return Promise.resolve({ ...before, admitted: false, hold: 0 });
      const hold = Math.min(left, max);
      if (hold > 0) entry.holds.set(holdId, { amount: hold, deadline: clock() + holdTtlMs });
      return Promise.resolve({ ...before, admitted: true, hold });
    },
    settle(bucket, holdId, chargeId, charge) {
      const entry = bucketOf(bucket);
      if (holdId !== null) entry.holds.delete(holdId);
      if (charge > 0 && !entry.charged.has(chargeId)) {
        entry.charged.add(chargeId);
        entry.spent += charge;
      }
      return Promise.resolve(figures(entry));
    },
  };
}

/**
 * One Redis hash per account and day: field `spent` (nano-USD, HINCRBY) and one field `h:<id>` per hold,
 * `"<nano>:<deadline ms>"`; a hold past its deadline no longer counts (and is deleted by the next reservation).
 * Deadlines use Redis's clock, the same for every replica. A second hash records the charges already made, so that
 * a charge retried after an ambiguous failure (a timeout after Redis applied it) is made once.
 */
const LUA_FIGURES = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function figures(key, now, purge)
  local spent, held = 0, 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local field, value = all[i], all[i + 1]
    if field == 'spent' then
      spent = tonumber(value)
    else
      local sep = string.find(value, ':', 1, true)
      if sep and tonumber(string.sub(value, sep + 1)) > now then
        held = held + tonumber(string.sub(value, 1, sep - 1))
      elseif purge then
        redis.call('HDEL', key, field)
      end
    end
  end
  return spent, held
end
`;

/** KEYS: the ledger hash. Returns {spent, held}. */
const LUA_READ = `${LUA_FIGURES}
local spent, held = figures(KEYS[1], now_ms(), false)
return {spent, held}
`;

/** KEYS: the ledger hash. ARGV: hold field, cap, min, max, hold TTL ms, day TTL ms. Returns {admitted, spent, held, hold}. */
const LUA_RESERVE = `${LUA_FIGURES}
local now = now_ms()
local spent, held = figures(KEYS[1], now, true)
local left = tonumber(ARGV[2]) - spent - held
if left < tonumber(ARGV[3]) then return {0, spent, held, 0} end
local hold = math.min(left, tonumber(ARGV[4]))
if hold > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f:%.0f', hold, now + tonumber(ARGV[5])))
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return {1, spent, held, hold}
`;

/** KEYS: the ledger hash, the charges hash. ARGV: hold field or '', charge id, charge, day TTL ms. Returns {spent, held}. */
const LUA_SETTLE = `${LUA_FIGURES}
if ARGV[1] ~= '' then redis.call('HDEL', KEYS[1], ARGV[1]) end
if tonumber(ARGV[3]) > 0 and redis.call('HSETNX', KEYS[2], ARGV[2], '1') == 1 then
  redis.call('HINCRBY', KEYS[1], 'spent', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
local spent, held = figures(KEYS[1], now_ms(), false)
return {spent, held}
`;

/** The commands `defineCommand` adds (ioredis sends them by EVALSHA, loading the script when Redis lacks it). */
interface SpendCommands {
  backlinksSpendRead(key: string): Promise<[number, number]>;
  backlinksSpendReserve(key: string, ...args: (string | number)[]): Promise<[number, number, number, number]>;
  backlinksSpendSettle(key: string, charges: string, ...args: (string | number)[]): Promise<[number, number]>;
}

function createRedisStore(redis: Redis, prefix: string): Store {
  redis.defineCommand('backlinksSpendRead', { numberOfKeys: 1, lua: LUA_READ });
  redis.defineCommand('backlinksSpendReserve', { numberOfKeys: 1, lua: LUA_RESERVE });
  redis.defineCommand('backlinksSpendSettle', { numberOfKeys: 2, lua: LUA_SETTLE });
  const commands = redis as Redis & SpendCommands;
  // The braces are a hash tag: on a Redis Cluster both keys of an account's day live on one node, as a script needs.
  const keyOf = (bucket: string) => `${prefix}spend:{${bucket}}`;
  return {
    async read(bucket) {
      const [spent, held] = await commands.backlinksSpendRead(keyOf(bucket));
      return { spent, held };
    },
    async reserve(bucket, holdId, cap, min, max, holdTtlMs) {
      const [admitted, spent, held, hold] = await commands.backlinksSpendReserve(
        keyOf(bucket),
        `h:${holdId}`,
        cap,
        min,
        max,
        holdTtlMs,
        SPEND_DAY_TTL_MS,
      );
      return { admitted: admitted === 1, spent, held, hold };
    },
    async settle(bucket, holdId, chargeId, charge) {
      const key = keyOf(bucket);
      const [spent, held] = await commands.backlinksSpendSettle(
        key,
        `${key}:charges`,
        holdId === null ? '' : `h:${holdId}`,
        chargeId,
        charge,
        SPEND_DAY_TTL_MS,
      );
      return { spent, held };
    },
  };
}

/** A charge not yet written to the store. */
interface PendingCharge {
  bucket: string;
  holdId: string | null;
  chargeId: string;
  charge: number;
}

/** Creates the spend ledger: in Redis when `redis` is given, else in memory (per process, reset on restart). */
export function createSpendLedger(options: SpendLedgerOptions = {}): SpendLedger {
  const now = options.now ?? Date.now;
  const holdTtlMs = options.holdTtlMs ?? SPEND_HOLD_TTL_MS;
  const timeoutMs = options.timeoutMs ?? SPEND_TIMEOUT_MS;
  const store = options.redis ? createRedisStore(options.redis, options.keyPrefix ?? 'backlinks:') : createMemoryStore(now);
  const pending: PendingCharge[] = [];
  const lateCharges = new WeakMap<SpendHold, number>();
  const bucketOf = (account: SpendAccount, day: string) => `${day}:${account.id}`;

  /** A store call, bounded in time; any failure is SpendUnavailableError (the cause never holds a key). */
  async function call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await pTimeout(run(), { milliseconds: timeoutMs });
    } catch (error) {
      options.onError?.(error);
      throw new SpendUnavailableError({ cause: error });
    }
  }

  /** Writes the charges that waited, oldest first; throws at the first that still fails. */
  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const next = pending[0] as PendingCharge;
      await call(() => store.settle(next.bucket, next.holdId, next.chargeId, next.charge));
      // Another flush may have written (and dropped) it meanwhile: the charge id makes the write count once.
      if (pending[0] === next) pending.shift();
    }
  }

  /** Charges not yet written for this bucket: counted as spent, so figures never show less than was billed. */
  const waiting = (bucket: string) => pending.reduce((sum, p) => (p.bucket === bucket ? sum + p.charge : sum), 0);

  function statusOf(account: SpendAccount, day: string, figures: Figures): SpendStatus {
    const cap = account.dailyCapUsd === null ? null : toNano(account.dailyCapUsd);
    return {
      keyName: account.name,
      spentUsd: toUsd(figures.spent),
      heldUsd: toUsd(figures.held),
      capUsd: account.dailyCapUsd,
      remainingUsd: cap === null ? null : toUsd(Math.max(0, cap - figures.spent - figures.held)),
      resetAt: nextMidnight(day),
    };
  }

  async function write(hold: SpendHold, holdId: string | null, chargeId: string, costUsd: number): Promise<SpendStatus | undefined> {
    const bucket = bucketOf(hold.account, hold.day);
    const charge: PendingCharge = { bucket, holdId, chargeId, charge: Math.max(0, toNano(costUsd)) };
    const nothingToWrite = charge.charge === 0 && holdId === null;
    try {
      await flush();
      const figures = await call(() => (nothingToWrite ? store.read(bucket) : store.settle(bucket, holdId, chargeId, charge.charge)));
      return statusOf(hold.account, hold.day, figures);
    } catch (error) {
      if (!(error instanceof SpendUnavailableError)) throw error;
      if (!nothingToWrite) pending.push(charge);
      return undefined;
    }
  }

  return {
    mode: options.redis ? 'redis' : 'memory',
    async status(account) {
      const day = utcDay(now());
      const bucket = bucketOf(account, day);
      await flush();
      const figures = await call(() => store.read(bucket));
      return statusOf(account, day, { spent: figures.spent + waiting(bucket), held: figures.held });
    },
    async reserve(account, { minUsd, maxUsd }) {
      const day = utcDay(now());
      const id = randomUUID();
      // Nothing to bound: an uncapped key, or an operation that can make no call (it runs even past the cap).
      if (account.dailyCapUsd === null || toNano(maxUsd) <= 0) return { admitted: true, hold: { account, day, id, heldUsd: 0 } };
      const bucket = bucketOf(account, day);
      await flush();
      const cap = toNano(account.dailyCapUsd);
      const min = toNano(minUsd);
      const answer = await call(() => store.reserve(bucket, id, cap, min, Math.max(min, toNano(maxUsd)), holdTtlMs));
      if (!answer.admitted) return { admitted: false, status: statusOf(account, day, answer) };
      return { admitted: true, hold: { account, day, id, heldUsd: toUsd(answer.hold) } };
    },
    settle: (hold, costUsd) => write(hold, hold.heldUsd > 0 ? hold.id : null, hold.id, costUsd),
    async charge(hold, costUsd) {
      const n = (lateCharges.get(hold) ?? 0) + 1;
      lateCharges.set(hold, n);
      await write(hold, null, `${hold.id}:${n}`, costUsd).catch((error: unknown) => options.onError?.(error));
    },
  };
}
