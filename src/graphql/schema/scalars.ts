import { DateTimeResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

builder.addScalarType('DateTime', DateTimeResolver, {
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

/** Parses an upstream time ("2019-11-15 12:57:46 +00:00"); null for null or anything unparseable. */
export function parseUpstreamDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const m = UPSTREAM_DATE.exec(value);
  const date = new Date(m ? `${m[1]}T${m[2]}${m[3]}` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}
