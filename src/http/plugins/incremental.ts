/** Whether an execution's result is incremental (@defer/@stream): parts to iterate rather than one result. */
export function isAsyncIterable<T = unknown>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * An incremental (@defer/@stream) result that calls `end` once it ends: done, failed, or closed by its consumer
 * (`return()`, the client went away), even before its first part was asked for — an async generator's `finally`
 * would not run then, and what it holds (a key's spend hold, the execution ceiling's room) would stay held. `before`
 * runs before a part is passed on. Hand-written: the Envelop and Yoga helpers that map async iterables are generators.
 */
export function endingWith<T>(parts: AsyncIterable<T>, end: () => unknown, before?: (part: T) => unknown): AsyncIterableIterator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      let step: IteratorResult<T>;
      try {
        step = await iterator.next();
      } catch (error) {
        await end();
        throw error;
      }
      if (step.done) await end();
      else if (before) await before(step.value);
      return step;
    },
    async return(value?: unknown) {
      await end();
      return iterator.return ? iterator.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      await end();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}

/**
 * The parts of an incremental result, each passed through `map` (with whether it is the first); `return()` and
 * `throw()` reach the source even before the first part, so that the `endingWith` wrappers below it end too.
 */
export function mapParts<T>(parts: AsyncIterable<T>, map: (part: T, first: boolean) => T): AsyncIterableIterator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  let first = true;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const step = await iterator.next();
      if (step.done) return step;
      const part = map(step.value, first);
      first = false;
      return { done: false, value: part };
    },
    async return(value?: unknown) {
      return iterator.return ? iterator.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
