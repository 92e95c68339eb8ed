import { describe, expect, it } from 'vitest';
import { InvalidTargetError, normalizeTarget } from '../../src/dataforseo/target.js';

describe('normalizeTarget: one rule for keys, cache and requests', () => {
  it.each([
    ['example.com', 'domain', 'example.com'],
    ['  Example.COM ', 'domain', 'example.com'],
    ['www.example.com', 'domain', 'example.com'],
    // A www. that is the domain itself stays: www.com is not com, www.co.uk is not co.uk.
    ['www.com', 'domain', 'www.com'],
    ['WWW.co.uk', 'domain', 'www.co.uk'],
    ['www.example.co.uk', 'domain', 'example.co.uk'],
    ['example.com.', 'domain', 'example.com'],
    ['Blog.Example.com', 'domain', 'blog.example.com'],
    ['https://Example.com', 'domain', 'example.com'],
    ['http://www.example.com', 'domain', 'example.com'],
    ['bücher.de', 'domain', 'xn--bcher-kva.de'],
    ['https://bücher.de/Seite', 'page', 'https://xn--bcher-kva.de/Seite'],
    ['HTTPS://WWW.Example.com/Path?q=1', 'page', 'https://www.example.com/Path?q=1'],
    ['https://example.com/', 'page', 'https://example.com/'],
    ['https://example.com/a', 'page', 'https://example.com/a'],
    ['https://example.com/a/', 'page', 'https://example.com/a/'],
    ['192.168.0.1', 'domain', '192.168.0.1'],
    ['example.co.uk', 'domain', 'example.co.uk'],
  ])('%s → %s %s', (input, kind, value) => {
    expect(normalizeTarget(input)).toMatchObject({ kind, value });
  });

  it.each([
    ['', /empty/],
    ['not a domain', /white space/],
    ['localhost', /not a valid domain/],
    ['example', /not a valid domain/],
    ['-bad-.com', /not a valid domain/],
    ['example.com/page', /no scheme/],
    ['ftp://example.com/x', /scheme "ftp"/],
    ['https://user:pw@example.com/x', /credentials/],
    ['https://example.com:8080/x', /port/],
    ['https://example.com/#frag', /fragment/],
    ['a'.repeat(2049), /2048/],
    [`${'a'.repeat(64)}.com`, /not a valid domain/],
  ])('refuses %j', (input, message) => {
    expect(() => normalizeTarget(input)).toThrow(InvalidTargetError);
    expect(() => normalizeTarget(input)).toThrow(message);
  });
});
