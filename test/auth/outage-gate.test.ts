import { describe, expect, it } from 'vitest';
import { createOutageGate } from '../../src/auth/outage-gate.js';
import { UnavailableError } from '../../src/errors.js';

describe('outage gate', () => {
  it('closes after a failure for a doubling, capped, jittered time and opens on success', () => {
    let clock = 0;
    let jitter = 1;
    const gate = createOutageGate({ message: 'down', baseMs: 100, maxMs: 1000, now: () => clock, random: () => jitter });
    gate.check();
    gate.failed();
    expect(() => gate.check()).toThrow(UnavailableError);
    clock = 100;
    gate.check();
    gate.failed();
    clock = 299;
    expect(() => gate.check()).toThrow(UnavailableError);
    clock = 300;
    gate.check();
    for (let i = 0; i < 10; i += 1) gate.failed();
    clock = 1300;
    gate.check();
    jitter = 0;
    gate.failed();
    clock = 1800;
    gate.check();
    gate.succeeded();
    gate.failed();
    clock = 1850;
    gate.check();
  });
});
