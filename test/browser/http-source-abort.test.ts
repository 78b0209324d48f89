import { describe, inject } from 'vitest';
import { abortCases } from '../servers/http-cases/abort.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => abortCases({ base: () => inject('rangeBase') }));
