import { describe, expect, it } from 'vitest';
import { healthOf, healthyNow, imageTag } from '../../src/plan/container-health.js';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('imageTag()', () => {
  it('reads the tag, after a registry port too, and says latest when there is none', () => {
    expect(imageTag('redis:7.4')).toBe('7.4');
    expect(imageTag('registry.example.com:5000/library/redis:7.4-alpine')).toBe('7.4-alpine');
    expect(imageTag('registry.example.com:5000/library/redis')).toBe('latest');
    expect(imageTag('redis')).toBe('latest');
  });

  it('keeps the tag of a digest-pinned reference, never a piece of the digest', () => {
    expect(imageTag(`redis:7.4@${DIGEST}`)).toBe('7.4');
    expect(imageTag(`registry.example.com:5000/n8nio/n8n:1.97.1@${DIGEST}`)).toBe('1.97.1');
  });

  it('shows a reference pinned by digest only as the algorithm and 12 hex digits', () => {
    expect(imageTag(`redis@${DIGEST}`)).toBe('sha256:0123456789ab');
    expect(imageTag(`registry.example.com:5000/library/redis@${DIGEST}`)).toBe('sha256:0123456789ab');
  });
});

describe('healthOf() and healthyNow()', () => {
  it("reads Docker's health from the status text docker ps prints", () => {
    expect(healthOf('Up 3 minutes (healthy)')).toBe('healthy');
    expect(healthOf('Up 3 minutes (unhealthy)')).toBe('unhealthy');
    expect(healthOf('Up 2 seconds (health: starting)')).toBe('starting');
    expect(healthOf('Up 3 minutes')).toBe('none');
    expect(healthOf('Exited (1) 2 minutes ago')).toBe('none');
  });

  it('is healthy now when Docker says so, or while starting when its own test passed', () => {
    expect(healthyNow('healthy', undefined)).toBe(true);
    expect(healthyNow('starting', 'pass')).toBe(true);
    expect(healthyNow('starting', 'fail')).toBe(false);
    expect(healthyNow('starting', undefined)).toBe(false);
    expect(healthyNow('unhealthy', 'pass')).toBe(false);
    expect(healthyNow('none', undefined)).toBe(false);
  });
});
