import { domainToASCII } from 'node:url';
import { LRUCache } from 'lru-cache';

/**
 * The one normalisation rule for targets, applied the same way to loader keys, cache keys and requests:
 * - a domain or subdomain: lower-cased, IDN labels converted to punycode, a leading `www.` and a trailing dot removed,
 *   and a scheme with nothing after the host (`https://Example.com`) treated as that domain;
 * - a page URL (scheme `http`/`https` and a path): scheme and host lower-cased and punycoded, `www.` kept (it is part
 *   of the page's address), path and query kept exactly as given: upstream, `https://x.com/a` and `https://x.com/a/`
 *   are different pages.
 */

/** A target the upstream accepts, in its normalised form. */
export interface NormalizedTarget {
  kind: 'domain' | 'page';
  /** What is sent upstream and used in keys. */
  value: string;
  /** The host, without `www.` for domains. */
  host: string;
}

/** Why a target was refused, phrased for the person who typed it. */
export class InvalidTargetError extends Error {
  override readonly name = 'InvalidTargetError';
}

export const TARGET_MAX_LENGTH = 2048;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const URL_PARTS = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i;

function normalizeHost(rawHost: string, raw: string): string {
  const trimmed = rawHost.replace(/\.$/, '');
  if (trimmed.includes('@')) throw new InvalidTargetError(`"${raw}" contains credentials; give a domain or a page URL`);
  if (trimmed.includes(':')) throw new InvalidTargetError(`"${raw}" has a port; the upstream indexes ports 80 and 443 only`);
  if (IPV4.test(trimmed)) return trimmed;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '') throw new InvalidTargetError(`"${raw}" is not a valid host name`);
  const labels = ascii.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(tld)) {
    throw new InvalidTargetError(
      `"${raw}" is not a valid domain: expected labels of a–z, 0–9 and "-" and a top-level domain, as in "example.com"`,
    );
  }
  return ascii;
}

/**
 * Drops a leading `www.` from a domain, unless what is left is no domain of its own: "www.com" and "www.co.uk"
 * stay as they are (the second by the same suffix rule as `rootDomainOf`).
 */
function withoutWww(host: string): string {
  if (!host.startsWith('www.')) return host;
  const rest = host.slice(4);
  const labels = rest.split('.');
  return labels.length < 2 || (labels.length === 2 && rootDomainOf(`x.${rest}`) !== rest) ? host : rest;
}

/**
 * The targets normalised lately, by their spelling: every request for a cached answer normalises its targets again
 * (the argument, then each task key), and the host's IDNA conversion is most of a cached summary's own work after
 * execution. The results are frozen; refusals are not kept (each is thrown afresh), nor spellings longer than
 * TARGET_MAX_LENGTH.
 */
const normalized = new LRUCache<string, Readonly<NormalizedTarget>>({ max: 4096 });

/** Normalises a target as typed by a person, or throws `InvalidTargetError` saying what is wrong with it. */
export function normalizeTarget(input: string): Readonly<NormalizedTarget> {
  // Only spellings no longer than a target can be are kept: a valid target padded with white space is still valid,
  // and must not make the cache hold megabytes per entry.
  if (input.length > TARGET_MAX_LENGTH) return normalizeUncached(input);
  let target = normalized.get(input);
  if (target === undefined) {
    target = Object.freeze(normalizeUncached(input));
    normalized.set(input, target);
  }
  return target;
}

function normalizeUncached(input: string): NormalizedTarget {
  const raw = input.trim();
  if (raw === '') throw new InvalidTargetError('the target is empty; give a domain ("example.com") or a page URL');
  if (raw.length > TARGET_MAX_LENGTH) {
    throw new InvalidTargetError(`the target is ${raw.length} characters long; at most ${TARGET_MAX_LENGTH} are allowed`);
  }
  if (/\s/.test(raw)) throw new InvalidTargetError(`"${raw}" contains white space`);
  const url = URL_PARTS.exec(raw);
  if (url) {
    const scheme = (url[1] ?? '').toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new InvalidTargetError(`"${raw}" has the scheme "${scheme}"; only http and https pages are indexed`);
    }
    const host = normalizeHost(url[2] ?? '', raw);
    const rest = url[3] ?? '';
    if (rest === '') {
      return { kind: 'domain', value: withoutWww(host), host: withoutWww(host) };
    }
    if (rest.includes('#')) throw new InvalidTargetError(`"${raw}" has a fragment (#…); fragments are not part of a page's address`);
    return { kind: 'page', value: `${scheme}://${host}${rest}`, host };
  }
  if (/[/?#]/.test(raw)) {
    throw new InvalidTargetError(`"${raw}" looks like a page but has no scheme; write it as "https://${raw}"`);
  }
  const host = withoutWww(normalizeHost(raw, raw));
  return { kind: 'domain', value: host, host };
}

/** Returns the registrable-looking root of a host: the last two labels, or three for `co.uk`-style suffixes. */
export function rootDomainOf(host: string): string {
  const labels = host.split('.');
  const secondLevel = labels[labels.length - 2] ?? '';
  const take =
    labels.length > 2 && /^(?:co|com|org|net|ac|gov|edu)$/.test(secondLevel) && (labels[labels.length - 1]?.length ?? 0) === 2 ? 3 : 2;
  return labels.slice(-take).join('.');
}
