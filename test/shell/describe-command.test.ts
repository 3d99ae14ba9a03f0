import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { describeCommand } from '../../src/shell/describe-command.js';
import { SWITCH_CURRENT } from '../../src/remote/generated-scripts.js';

describe('describeCommand()', () => {
  it('shows the quoted command line', () => {
    expect(describeCommand({ argv: ['echo', 'two words'] })).toBe("echo 'two words'");
  });

  it('never shows secret stdin, only that there is one', () => {
    const secret = Secret.of('pa55word-very-secret');
    const text = describeCommand({ argv: ['docker', 'login', '--password-stdin'], stdin: secret });
    expect(text).toBe('docker login --password-stdin < [stdin: secret]');
    expect(text).not.toContain('pa55word');
    expect(JSON.stringify({ cmd: { argv: ['x'], stdin: secret } })).not.toContain('pa55word');
  });

  it("names one of the tool's own scripts by its file, with its arguments, instead of printing it whole", () => {
    expect(describeCommand({ argv: ['sh', '-c', SWITCH_CURRENT, 'homelab-wizard', '/opt/homelab/lab', 'abc123'] })).toBe('switch-current.sh /opt/homelab/lab abc123');
    expect(describeCommand({ argv: ['sh', '-c', 'echo "$1"', 'homelab-wizard', 'x y'] })).toBe(`sh -c 'echo "$1"' homelab-wizard 'x y'`);
  });

  it('shows plain stdin by its size in bytes', () => {
    expect(describeCommand({ argv: ['sh', '-s'], stdin: 'échec\n' })).toBe('sh -s < [stdin: 7 bytes]');
  });
});
