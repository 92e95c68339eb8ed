import { builder } from '../builder.js';
import { backlinkFieldSpec } from '../../dataforseo/filter-language.js';
import type { FilterExpression } from '../../dataforseo/types.js';
import {
  checkCompiled,
  compileTree,
  dateConditions,
  DateTimeFilter,
  intConditions,
  IntFilter,
  listConditions,
  ListFilter,
  stringConditions,
  StringFilter,
  type DateTimeFilterInput,
  type IntFilterInput,
  type ListFilterInput,
  type StringFilterInput,
} from './filter-inputs.js';
import { badUserInput } from '../input-errors.js';

export const LinkType = builder.enumType('LinkType', {
  description: 'How a page links (item_type).',
  values: {
    ANCHOR: { value: 'anchor', description: 'An <a> link.' },
    IMAGE: { value: 'image', description: 'A linked image.' },
    LINK: { value: 'link', description: 'A <link> element.' },
    META: { value: 'meta', description: 'A meta refresh.' },
    CANONICAL: { value: 'canonical', description: 'A canonical link (indirect).' },
    ALTERNATE: { value: 'alternate', description: 'An alternate link.' },
    REDIRECT: { value: 'redirect', description: 'A redirect (indirect).' },
  } as const,
});

type LinkTypeValue = 'anchor' | 'image' | 'link' | 'meta' | 'canonical' | 'alternate' | 'redirect';
interface LinkTypeFilterInput {
  eq?: LinkTypeValue | null;
  ne?: LinkTypeValue | null;
  in?: readonly LinkTypeValue[] | null;
  notIn?: readonly LinkTypeValue[] | null;
}

export const LinkTypeFilter = builder.inputRef<LinkTypeFilterInput>('LinkTypeFilter').implement({
  description: 'Conditions on the link type.',
  fields: (t) => ({
    eq: t.field({ type: LinkType, description: 'Of this type.' }),
    ne: t.field({ type: LinkType, description: 'Not of this type.' }),
    in: t.field({ type: [LinkType], description: 'Of one of these types (a non-empty list).' }),
    notIn: t.field({ type: [LinkType], description: 'Of none of these types (a non-empty list).' }),
  }),
});

export interface BacklinkFilterInput {
  and?: readonly BacklinkFilterInput[] | null;
  or?: readonly BacklinkFilterInput[] | null;
  dofollow?: boolean | null;
  isNew?: boolean | null;
  isLost?: boolean | null;
  isBroken?: boolean | null;
  isIndirect?: boolean | null;
  anchor?: StringFilterInput | null;
  domainFrom?: StringFilterInput | null;
  urlFrom?: StringFilterInput | null;
  urlTo?: StringFilterInput | null;
  semanticLocation?: StringFilterInput | null;
  domainFromCountry?: StringFilterInput | null;
  tldFrom?: StringFilterInput | null;
  domainFromRank?: IntFilterInput | null;
  pageFromRank?: IntFilterInput | null;
  spamScore?: IntFilterInput | null;
  firstSeen?: DateTimeFilterInput | null;
  lostDate?: DateTimeFilterInput | null;
  linkType?: LinkTypeFilterInput | null;
  attributes?: ListFilterInput | null;
  domainFromPlatformTypes?: ListFilterInput | null;
}

export const BacklinkFilter = builder.inputRef<BacklinkFilterInput>('BacklinkFilter').implement({
  description:
    'Conditions on the individual backlinks counted (backlinks_filters), e.g. only dofollow links. Fields are joined by "and"; at most 8 conditions in all.',
  fields: (t) => ({
    and: t.field({ type: [BacklinkFilter], description: 'All of these filters.' }),
    or: t.field({ type: [BacklinkFilter], description: 'At least one of these filters.' }),
    dofollow: t.boolean({ description: 'Only dofollow (true) or only nofollow (false) links (dofollow).' }),
    isNew: t.boolean({ description: 'Links found in the last month, or not (is_new).' }),
    isLost: t.boolean({ description: 'Lost links, or not (is_lost).' }),
    isBroken: t.boolean({ description: 'Links to pages answering 4xx/5xx, or not (is_broken).' }),
    isIndirect: t.boolean({ description: 'Links through a redirect or canonical, or not (is_indirect_link).' }),
    anchor: t.field({ type: StringFilter, description: 'The anchor text (anchor).' }),
    domainFrom: t.field({ type: StringFilter, description: 'The linking host (domain_from).' }),
    urlFrom: t.field({ type: StringFilter, description: 'The linking page (url_from).' }),
    urlTo: t.field({ type: StringFilter, description: 'The linked page (url_to).' }),
    semanticLocation: t.field({ type: StringFilter, description: 'The HTML element holding the link (semantic_location).' }),
    domainFromCountry: t.field({ type: StringFilter, description: 'ISO country code of the linking domain (domain_from_country).' }),
    tldFrom: t.field({ type: StringFilter, description: 'Top-level domain of the linking domain (tld_from).' }),
    domainFromRank: t.field({ type: IntFilter, description: 'Rank of the linking domain (domain_from_rank), on the scale of rankScale.' }),
    pageFromRank: t.field({ type: IntFilter, description: 'Rank of the linking page (page_from_rank), on the scale of rankScale.' }),
    spamScore: t.field({ type: IntFilter, description: 'Spam score of the backlink, 0–100 (backlink_spam_score).' }),
    firstSeen: t.field({ type: DateTimeFilter, description: 'When the link was found (first_seen).' }),
    lostDate: t.field({ type: DateTimeFilter, description: 'When the link was lost (lost_date).' }),
    linkType: t.field({ type: LinkTypeFilter, description: 'The link type (item_type).' }),
    attributes: t.field({ type: ListFilter, description: 'The link attributes: nofollow, ugc, sponsored … (attributes).' }),
    domainFromPlatformTypes: t.field({
      type: ListFilter,
      description: 'Platform types of the linking domain (domain_from_platform_type).',
    }),
  }),
});

const BOOLEANS = [
  ['dofollow', 'dofollow'],
  ['isNew', 'is_new'],
  ['isLost', 'is_lost'],
  ['isBroken', 'is_broken'],
  ['isIndirect', 'is_indirect_link'],
] as const;
const STRINGS = [
  ['anchor', 'anchor'],
  ['domainFrom', 'domain_from'],
  ['urlFrom', 'url_from'],
  ['urlTo', 'url_to'],
  ['semanticLocation', 'semantic_location'],
  ['domainFromCountry', 'domain_from_country'],
  ['tldFrom', 'tld_from'],
] as const;
const INTS = [
  ['domainFromRank', 'domain_from_rank'],
  ['pageFromRank', 'page_from_rank'],
  ['spamScore', 'backlink_spam_score'],
] as const;
const DATES = [
  ['firstSeen', 'first_seen'],
  ['lostDate', 'lost_date'],
] as const;
const LISTS = [
  ['attributes', 'attributes'],
  ['domainFromPlatformTypes', 'domain_from_platform_type'],
] as const;

function ownConditions(path: string, f: BacklinkFilterInput): FilterExpression[] {
  const out: FilterExpression[] = [];
  for (const [name, field] of BOOLEANS) {
    const v = f[name];
    if (v !== null && v !== undefined) out.push([field, '=', v]);
  }
  for (const [name, field] of STRINGS) {
    const v = f[name];
    if (v) out.push(...stringConditions(`${path}.${name}`, field, v));
  }
  for (const [name, field] of INTS) {
    const v = f[name];
    if (v) out.push(...intConditions(`${path}.${name}`, field, v));
  }
  for (const [name, field] of DATES) {
    const v = f[name];
    if (v) out.push(...dateConditions(field, v));
  }
  for (const [name, field] of LISTS) {
    const v = f[name];
    if (v) out.push(...listConditions(field, v));
  }
  const lt = f.linkType;
  if (lt) {
    if (lt.eq) out.push(['item_type', '=', lt.eq]);
    if (lt.ne) out.push(['item_type', '<>', lt.ne]);
    for (const [key, op] of [
      ['in', 'in'],
      ['notIn', 'not_in'],
    ] as const) {
      const list = lt[key];
      if (!list) continue;
      if (list.length === 0) throw badUserInput(`${path}.linkType.${key}`, [], 'a non-empty list');
      out.push(['item_type', op, [...list]]);
    }
  }
  return out;
}

/** Compiles a BacklinkFilter into `backlinks_filters`; undefined when it holds no condition. */
export function compileBacklinkFilter(path: string, input: BacklinkFilterInput | null | undefined): FilterExpression | undefined {
  if (!input) return undefined;
  return checkCompiled(path, compileTree(path, input, ownConditions), backlinkFieldSpec);
}
