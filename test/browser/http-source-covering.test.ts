import { describe, inject } from 'vitest';
import { coveringCases } from '../servers/http-cases/covering.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => coveringCases({ base: () => inject('rangeBase') }));
