import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

/** What Date.prototype.toISOString gives, and so what JSON.stringify wrote of every Date this scalar returned. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * graphql-scalars' DateTime, but serialised to its final string. Its own serialize returns a Date (and parses every
 * string into one), so that each date of a response is a toJSON call at stringify time, on every cached answer again.
 * Here a string in the canonical form toISOString gives — what the resolvers return, prepared once per upstream answer
 * (upstreamDateReader) — passes as it is; anything else goes through graphql-scalars and becomes that same string. The
 * bytes of a response do not change. Inputs (parseValue, parseLiteral), name, specifiedByURL and extensions are
 * graphql-scalars' own.
 */
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value) {
    if (typeof value === 'string' && ISO_UTC.test(value)) return value;
    const serialized = DateTimeResolver.serialize(value) as unknown;
    return serialized instanceof Date ? serialized.toISOString() : serialized;
  },
});

builder.addScalarType('DateTime', DateTime, {
  description: "An ISO-8601 UTC timestamp. The upstream's '2019-11-15 12:57:46 +00:00' becomes '2019-11-15T12:57:46.000Z'.",
});

builder.addScalarType('Date', LocalDateResolver, {
  description: 'A calendar date, "yyyy-mm-dd" (a UTC day), as the upstream takes it in date_from.',
});

// Link and page counters are int64 upstream and pass 2^31 for large sites, where GraphQL's Int would fail.
builder.addScalarType('SafeInt', SafeIntResolver, {
  description: 'An integer from -(2^53 - 1) to 2^53 - 1: a count that can exceed the 32 bits of Int.',
});

const UPSTREAM_DATE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2}:\d{2})$/;

/**
 * A reader of the upstream time at `key` of a wire object, as the ISO string DateTime serialises. The first read of an
 * answer's date writes the ISO string back in its place: a cached answer is the same objects on every request, so each
 * of its dates is parsed and formatted once, and later reads return the string. (A WeakMap beside the objects did the
 * same, but its entries for every item of every uncached page cost more in garbage collection than the parsing saved.)
 * An ISO string is also what a date parses from, should the answer come back from a shared cache as JSON.
 */
export function upstreamDateReader<W extends object>(key: keyof W): (wire: W) => string | null {
  return (wire) => {
    const value = wire[key] as unknown;
    if (typeof value !== 'string' || value === '') return null;
    if (ISO_UTC.test(value)) return value;
    const iso = parseUpstreamDate(value)?.toISOString() ?? null;
    (wire as Record<keyof W, unknown>)[key] = iso;
    return iso;
  };
}

/** Parses an upstream time ("2019-11-15 12:57:46 +00:00"); null for null or anything unparseable. */
export function parseUpstreamDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const m = UPSTREAM_DATE.exec(value);
  const date = new Date(m ? `${m[1]}T${m[2]}${m[3]}` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}
