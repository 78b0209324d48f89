import { describe, inject } from 'vitest';
import { refusalCases } from '../servers/http-cases/refusals.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => refusalCases({ base: () => inject('rangeBase') }));
