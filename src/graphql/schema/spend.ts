import { GraphQLError } from 'graphql';
import { SpendUnavailableError, type SpendStatus } from '../../ops/spend-ledger.js';
import { builder } from '../builder.js';
import { costs } from '../cost.js';

/** A key's figures for today, as the spend ledger reports them. */
export const Spend = builder.objectRef<SpendStatus>('Spend');

Spend.implement({
  description:
    'What the API key of this request spent today (UTC) against its daily cap (`cap=` in API_KEYS). ' +
    'An operation runs when its upstream calls ($0.02 each) fit in `remainingUsd`; it is charged what the upstream billed.',
  fields: (t) => ({
    keyName: t.exposeString('keyName', { nullable: true, description: 'The key’s `name=` in API_KEYS; null for a key without one.' }),
    spentUsd: t.exposeFloat('spentUsd', { description: 'USD the upstream billed for this key’s operations today.' }),
    heldUsd: t.exposeFloat('heldUsd', {
      description: 'USD held by this key’s operations in flight, this one included: the most they may still cost.',
    }),
    capUsd: t.exposeFloat('capUsd', { nullable: true, description: 'The daily cap in USD; null when the key is uncapped.' }),
    remainingUsd: t.exposeFloat('remainingUsd', {
      nullable: true,
      description: 'What operations may still hold today: cap − spent − held, at least 0; null when the key is uncapped.',
    }),
    resetAt: t.expose('resetAt', { type: 'DateTime', description: 'When the day’s spend starts again from zero: the next 00:00 UTC.' }),
  }),
});

builder.queryField('spend', (t) =>
  t.field({
    type: Spend,
    // Null when no API key identifies the request (API_KEYS unset): there is then no one to account to.
    nullable: true,
    description:
      'The spend of this request’s API key today, like GitHub’s `rateLimit`. Free: no upstream call, read once per request. ' +
      'Null when the server has no API_KEYS.',
    extensions: costs({ calls: () => 0 }),
    resolve: async (_root, _args, ctx) => {
      if (!ctx.spend) return null;
      try {
        return await ctx.spend();
      } catch (error) {
        if (!(error instanceof SpendUnavailableError)) throw error;
        throw new GraphQLError('The spend ledger of API keys cannot be reached; retry in a few seconds.', {
          extensions: { code: 'SPEND_UNAVAILABLE', retryable: true },
        });
      }
    },
  }),
);
