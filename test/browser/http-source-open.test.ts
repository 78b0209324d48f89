import { describe, inject } from 'vitest';
import { openCases } from '../servers/http-cases/open.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => openCases({ base: () => inject('rangeBase') }));
