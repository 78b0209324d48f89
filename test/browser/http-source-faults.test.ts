import { describe, inject } from 'vitest';
import { faultCases } from '../servers/http-cases/faults.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => faultCases({ base: () => inject('rangeBase') }));
