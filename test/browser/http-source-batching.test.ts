import { describe, inject } from 'vitest';
import { batchingCases } from '../servers/http-cases/batching.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => batchingCases({ base: () => inject('rangeBase') }));
