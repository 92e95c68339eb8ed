import { builder } from '../builder.js';

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: "How many items the whole list holds, from the upstream's total_count.",
    resolve: (connection) => connection.totalCount,
  }),
);
