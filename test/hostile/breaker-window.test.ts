import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, sourcesOf, type CallHealth, type CircuitBreaker } from '../../src/upstream/breaker.js';

/** The breaker's rolling window and state machine on a fake clock: the rules a hostile client would probe. */

function setUp(options: Parameters<typeof createCircuitBreaker>[0] = {}) {
  const clock = { t: 1_000_000 };
  const breaker = createCircuitBreaker({ volume: 3, errorPercentage: 80, resetMs: 1000, windowMs: 10_000, now: () => clock.t, ...options });
  return { clock, breaker };
}

/** One call for a task of these sources, settled at once; false when the breaker refused it. */
function call(breaker: CircuitBreaker, sources: string[], health: CallHealth): boolean {
  const admission = breaker.admit(sources);
  admission?.settle(health);
  return admission !== undefined;
}

describe('the breaker window', () => {
  it('names a task by its targets, not its key: every spelling of one target is one source', () => {
    expect(sourcesOf({ target: 'a.com', limit: 5 }, 'k1')).toEqual(['a.com']);
    expect(sourcesOf({ targets: { '1': 'b.com', '2': 'a.com' } }, 'k2')).toEqual(['a.com', 'b.com']);
    // A bulk task (up to 1000 targets) is one source: one poisoned target in it must not count as a thousand failures.
    expect(sourcesOf({ targets: ['a.com', 'b.com', 'c.com'] }, 'k3')).toEqual(['k3']);
    expect(sourcesOf({ other: 1 }, 'the-key')).toEqual(['the-key']);
  });

  it('a failing target counts once per window, then again once it has left the window', () => {
    const { clock, breaker } = setUp({ volume: 2 });
    for (let i = 0; i < 1000; i++) call(breaker, ['broken.com'], 'unhealthy');
    // An intersection naming the broken target fails because of it: no new source.
    for (let i = 0; i < 100; i++) call(breaker, ['broken.com', `x${i}.com`], 'unhealthy');
    expect(breaker.state()).toBe('closed');
    clock.t += 10_001;
    call(breaker, ['broken.com'], 'unhealthy');
    expect(breaker.state()).toBe('closed');
    call(breaker, ['other.com'], 'unhealthy');
    expect(breaker.state()).toBe('open');
  });

  it('needs the error share too: failures among mostly healthy targets do not open it', () => {
    const { breaker } = setUp({ volume: 3, errorPercentage: 50 });
    for (let i = 0; i < 4; i++) call(breaker, [`ok${i}.com`], 'healthy');
    for (let i = 0; i < 3; i++) call(breaker, [`bad${i}.com`], 'unhealthy');
    expect(breaker.state()).toBe('closed');
    call(breaker, ['bad3.com'], 'unhealthy');
    expect(breaker.state()).toBe('open');
  });

  it('unknown outcomes count neither way, and a healthy answer forgets the target’s failure', () => {
    const { breaker } = setUp({ volume: 3, errorPercentage: 75 });
    for (let i = 0; i < 100; i++) call(breaker, [`u${i}.com`], 'unknown');
    call(breaker, ['a.com'], 'unhealthy');
    call(breaker, ['a.com'], 'healthy');
    call(breaker, ['b.com'], 'unhealthy');
    call(breaker, ['c.com'], 'unhealthy');
    expect(breaker.state()).toBe('closed');
    call(breaker, ['d.com'], 'unhealthy');
    expect(breaker.state()).toBe('open');
  });

  it('calls admitted before it opened drop from the queue through `dropIf`; their late outcomes count for nothing', () => {
    const { clock, breaker } = setUp({ volume: 3 });
    const waiting = breaker.admit(['late.com']);
    for (const t of ['a.com', 'b.com', 'c.com']) call(breaker, [t], 'unhealthy');
    expect(waiting?.dropIf?.aborted).toBe(true);
    expect(waiting?.dropIf?.reason).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    waiting?.settle('healthy');
    expect(breaker.state()).toBe('open');
    clock.t += 1000;
    expect(breaker.state()).toBe('half-open');
  });

  it('half-open: one probe at a time; an unknown probe frees the turn, a failed probe’s targets wait one more turn', () => {
    const { clock, breaker } = setUp({ volume: 3 });
    for (const t of ['a.com', 'b.com', 'c.com']) call(breaker, [t], 'unhealthy');
    expect(breaker.admit(['x.com'])).toBeUndefined();
    clock.t += 1000;
    const probe = breaker.admit(['broken.com']);
    expect(probe).toMatchObject({ probe: true, dropIf: undefined });
    expect(breaker.admit(['y.com'])).toBeUndefined();
    probe?.settle('unknown');
    expect(breaker.state()).toBe('half-open');
    expect(call(breaker, ['broken.com'], 'unhealthy')).toBe(true);
    expect(breaker.state()).toBe('open');
    clock.t += 1000;
    // The broken target, under any task naming it, does not get the probe for one reset period; another target does.
    expect(breaker.admit(['broken.com'])).toBeUndefined();
    expect(breaker.admit(['broken.com', 'z.com'])).toBeUndefined();
    clock.t += 999;
    expect(breaker.admit(['broken.com'])).toBeUndefined();
    // A client that only ever asks for that target gets its turn one reset period later.
    clock.t += 1;
    expect(call(breaker, ['broken.com'], 'unhealthy')).toBe(true);
    expect(breaker.state()).toBe('open');
    clock.t += 1000;
    expect(breaker.admit(['broken.com'])).toBeUndefined();
    expect(call(breaker, ['honest.com'], 'healthy')).toBe(true);
    expect(breaker.state()).toBe('closed');
    // Closed afresh: the outage's failures are forgotten.
    call(breaker, ['a.com'], 'unhealthy');
    expect(breaker.state()).toBe('closed');
  });

  it('keeps its memory bounded under a flood of distinct healthy targets', () => {
    const { breaker } = setUp({ volume: 10, errorPercentage: 1 });
    for (let i = 0; i < 50_000; i++) call(breaker, [`flood${i}.com`], 'healthy');
    // Only the newest 10 000 healthy targets are remembered: 200 failures are 2 % of those (but 0.4 % of 50 000).
    for (let i = 0; i < 9; i++) call(breaker, [`bad${i}.com`], 'unhealthy');
    expect(breaker.state()).toBe('closed');
    for (let i = 9; i < 200; i++) call(breaker, [`bad${i}.com`], 'unhealthy');
    expect(breaker.state()).toBe('open');
  });
});
