import { InvalidTargetError, normalizeTarget } from '../../dataforseo/target.js';
import { badUserInput } from '../input-errors.js';

const TARGET_ALLOWED = 'a domain ("example.com"), a subdomain ("blog.example.com") or an absolute http(s) page URL';

/** Validates and normalises one target argument; `path` names it in the error ("targets[2]"). */
export function readTargetArg(path: string, value: string): string {
  try {
    return normalizeTarget(value).value;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw badUserInput(path, value, TARGET_ALLOWED, `is not a valid target: ${error.message}`);
    throw error;
  }
}

/** Validates a list of targets: its length, then each entry. */
export function readTargetListArg(path: string, values: readonly string[], min: number, max: number): string[] {
  if (values.length < min || values.length > max) {
    throw badUserInput(
      path,
      values.length > 5 ? `${values.length} targets` : values,
      `${min === max ? min : `${min} to ${max}`} targets`,
      `has ${values.length} targets`,
    );
  }
  return values.map((v, i) => readTargetArg(`${path}[${i}]`, v));
}
