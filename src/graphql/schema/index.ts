import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.js';
import './query.js';
import './scalars.js';
import './connection.js';
import './backlink-options.js';
import './link-profile.js';
import './target.js';
import './referring-domain.js';
import './intersection.js';
import './bulk-metrics.js';
import './spend.js';

/** The schema, sorted so that the printed SDL is stable. */
export const schema = lexicographicSortSchema(builder.toSchema());
