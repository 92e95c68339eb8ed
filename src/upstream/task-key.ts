import stringify from 'safe-stable-stringify';

/** The canonical key of an upstream task: stable JSON, so `{a, b}` and `{b, a}` are one key. */
export function taskKey(task: object): string {
  return stringify(task) ?? '';
}
