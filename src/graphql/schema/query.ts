import { builder } from '../builder.js';

builder.queryType({
  description: 'Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make.',
});
