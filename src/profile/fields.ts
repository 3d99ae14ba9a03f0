import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { sshPublicKeyProblem } from './ssh-public-key.js';

/**
 * Field types shared by the profile and the answers file. Every message says what is expected,
 * because it is shown to the operator under the field or next to its path.
 */
export const SAFE_NAME_RE = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
export const safeName = z
  .string()
  .regex(SAFE_NAME_RE, 'must be 2-32 lower-case letters, digits or dashes, starting with a letter (it is used in file paths and shell commands)');

export const unixUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name: lower-case letters, digits, _ or -, at most 32 characters');

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
// The lookahead rules out all-numeric names such as 203.0.113.300 (a bad IP, not a host name).
export const FQDN_RE = new RegExp(`^(?=.{1,253}$)(?![0-9.]+$)${LABEL}(?:\\.${LABEL})+$`);
export const fqdn = z
  .string()
  .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(z.string().regex(FQDN_RE, 'must be a fully qualified domain name such as example.com'));

export const dnsLabel = z
  .string()
  .regex(new RegExp(`^${LABEL}$`), 'must be one DNS label: lower-case letters, digits and dashes, at most 63 characters');

export const ipv4 = z.ipv4({ message: 'must be an IPv4 address such as 203.0.113.10' });

export const address = z.union([z.ipv4(), z.ipv6(), z.string().regex(FQDN_RE)], {
  message: 'must be an IPv4 or IPv6 address, or a host name such as vps.example.com',
});

export const cidr = z.union([z.cidrv4(), z.cidrv6()], { message: 'must be a CIDR range such as 100.64.0.0/10' });

export const port = z
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

export const email = z.email({ message: 'must be an e-mail address such as ops@example.com' });

export const httpsUrl = z
  .url({ message: 'must be a URL such as https://vpn.example.com' })
  .refine((v) => /^https?:\/\//.test(v), 'must start with https:// (or http:// for a local test endpoint)');

/** One or more PEM certificates (a CA bundle), parsed: a pasted fragment is refused here, not by Caddy. */
export const pemCertificates = z.string().superRefine((text, ctx) => {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) ctx.addIssue({ code: 'custom', message: 'must hold PEM certificates (-----BEGIN CERTIFICATE----- ...)' });
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      ctx.addIssue({ code: 'custom', message: `certificate ${i + 1} is not a valid PEM certificate` });
    }
  }
});

/** A DNS server as `address:port` (IPv4), for lego's zone lookup and propagation check. */
export const dnsServer = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}:\d{1,5}$/, 'must be a DNS server as address:port such as 203.0.113.53:53');

export const telegramChatId = z
  .string({ message: 'must be a Telegram chat id, as a string: quote it in YAML' })
  .regex(/^-?[0-9]{5,20}$/, 'must be a Telegram chat id: digits, with a leading - for groups (e.g. "-1001234567890")');

const PINNED_BAD = new Set(['latest', 'stable', 'nightly', 'edge', 'main', 'master']);
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be a Docker image tag such as 2.7.3')
  .refine((v) => !PINNED_BAD.has(v.toLowerCase()), 'must be a pinned version, not a moving tag like latest, stable or nightly');

export const imageRepository = z
  .string()
  .regex(
    /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    'must be an image name such as ghcr.io/org/app (no tag: set version for that)',
  );

export const registryPrefix = z
  .string()
  .regex(
    /^[a-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    'must be a registry host with an optional path, such as registry.example.com/mirror',
  );

export const memoryLimit = z.string().regex(/^[1-9][0-9]*[kKmMgG]$/, 'must be a size such as 512M or 2G');

export const sshPublicKey = z
  .string()
  .regex(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/,
    'must be one OpenSSH public key line such as "ssh-ed25519 AAAA… you@laptop"',
  )
  .superRefine((line, ctx) => {
    const problem = sshPublicKeyProblem(line);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A name of the tz database (ICU's copy of it): `Mars/Olympus` has the right shape and is no zone. */
function knownTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timezone = z
  .string()
  .regex(/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/, 'must be a time zone such as Europe/Paris or UTC')
  .refine(knownTimezone, 'is not a time zone of the tz database: use a name such as Europe/Paris, America/New_York or UTC (`timedatectl list-timezones` lists them)');

export const localeName = z
  .string()
  .regex(/^([a-z]{2,3}_[A-Z]{2}|C)\.UTF-8$/, 'must be a UTF-8 locale such as en_US.UTF-8 or fr_FR.UTF-8');

/** Folders that must never be a deploy root: the tool would create and own files among the system's own. */
const SYSTEM_DIRS = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var']);

/** An absolute folder on a managed host, safe to splice into paths and shell commands. */
export const absoluteDir = z
  .string()
  .regex(/^(\/[A-Za-z0-9._-]+)+$/, 'must be an absolute folder such as /opt/homelab: letters, digits, dots, dashes and underscores, no trailing slash')
  .refine((v) => !v.split('/').some((part) => part === '.' || part === '..'), 'must not contain . or .. segments')
  .refine((v) => !SYSTEM_DIRS.has(v), 'must be a folder of its own such as /opt/homelab, not a system folder');
