import { describe, inject } from 'vitest';
import { trickleCases } from '../servers/http-cases/trickle.ts';

describe('HttpRangeSource in Chromium, cross-origin', () => trickleCases({ base: () => inject('rangeBase') }));
