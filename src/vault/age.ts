import { armor, Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { WizardError, type ErrorCode } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { ageShape, ARMOR_END, armorHasTrailingText, armorLooksTruncated, describeRecipients, readAgeHeader, type AgeHeader } from './age-header.js';
import { recipientShapeProblem } from './recipients-file.js';

/**
 * The one adapter over age-encryption. It throws plain Errors with terse messages; everything
 * that leaves this file is a WizardError that says which file, what is wrong with it and what to
 * do. Messages never carry plaintext: age's own messages describe structure only.
 */

/**
 * age-encryption turns a whole-buffer result into bytes through `new Response(stream)`, and the
 * first use of Response loads Node's fetch implementation (undici): about 40 ms of every command
 * that opens the vault. Giving it a stream and reading the result here avoids that.
 */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function readAllBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return Buffer.concat(chunks);
}

/** Where a file stands in the tool, for the hints: how to get a good copy back differs. */
export interface FileContext {
  /** As shown to the operator (relative to the project folder where possible). */
  readonly file: string;
  /** Hint for a damaged or missing file: where a good copy is. */
  readonly restoreHint: string;
}

function fail(code: ErrorCode, message: string, hint: string): never {
  throw new WizardError(code, message, hint);
}

/** The raw age bytes of a file, armored or binary; not-age, empty and cut armor are refused here. */
export function unarmor(bytes: Uint8Array, ctx: FileContext): Uint8Array {
  const shape = ageShape(bytes);
  if (shape === 'empty') fail('vault-corrupt', `${ctx.file} is empty`, ctx.restoreHint);
  if (shape === 'not-age') fail('vault-corrupt', `${ctx.file} is not an age file`, ctx.restoreHint);
  if (shape === 'binary') return bytes;
  const text = new TextDecoder('latin1').decode(bytes);
  if (armorLooksTruncated(text)) fail('vault-corrupt', `${ctx.file} is truncated: its armor has no END line`, ctx.restoreHint);
  if (armorHasTrailingText(text)) {
    fail('vault-corrupt', `${ctx.file} has text after its armor's END line`, `remove everything after the line ${ARMOR_END}, or ${ctx.restoreHint}`);
  }
  try {
    return armor.decode(text);
  } catch (error) {
    const what = (error as Error).message.includes('base64') ? 'its armor holds characters that are not base64' : 'its armor lines are damaged';
    fail('vault-corrupt', `${ctx.file} is corrupted: ${what}`, ctx.restoreHint);
  }
}

/** The header of an age file, for recipient counts; damaged headers are refused with the reason. */
export function ageHeader(raw: Uint8Array, ctx: FileContext): AgeHeader {
  const reading = readAgeHeader(raw);
  if (!reading.ok) fail('vault-corrupt', `${ctx.file} is ${reading.truncated ? 'truncated' : 'corrupted'}: ${reading.reason}`, ctx.restoreHint);
  return reading.header;
}

function decodeText(plain: Uint8Array, ctx: FileContext): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    fail('vault-corrupt', `${ctx.file} decrypts, but not to UTF-8 text`, ctx.restoreHint);
  }
}

function payloadFailure(error: unknown, ctx: FileContext): never {
  const message = error instanceof Error ? error.message : String(error);
  if (/stream ended|too small|size is invalid/.test(message)) fail('vault-corrupt', `${ctx.file} is truncated: the encrypted data ends early`, ctx.restoreHint);
  if (/header HMAC/.test(message)) fail('vault-corrupt', `${ctx.file} is corrupted: its header was modified`, ctx.restoreHint);
  if (/work factor/.test(message)) fail('vault-corrupt', `${ctx.file} is corrupted: its passphrase work factor is out of range`, ctx.restoreHint);
  if (/stanza|non-ASCII|invalid header|invalid version/.test(message)) fail('vault-corrupt', `${ctx.file} is corrupted: its header is damaged`, ctx.restoreHint);
  fail('vault-corrupt', `${ctx.file} is corrupted: its encrypted data does not verify (modified or cut short)`, ctx.restoreHint);
}

/** Decrypt with the operator's identities. Not being a recipient is told apart from damage. */
export async function decryptWithIdentities(bytes: Uint8Array, identities: readonly Secret[], publicKey: string, ctx: FileContext): Promise<string> {
  const raw = unarmor(bytes, ctx);
  const header = ageHeader(raw, ctx);
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity.reveal());
  let plain: Uint8Array;
  try {
    plain = await readAllBytes(await decrypter.decrypt(streamOf(raw)));
  } catch (error) {
    if (error instanceof Error && error.message === "no identity matched any of the file's recipients") {
      if (header.stanzaTypes.every((t) => t === 'scrypt')) {
        fail('vault-not-recipient', `${ctx.file} is encrypted with a passphrase, not to your key ${publicKey}`, 'decrypt it with `age -d`; homelab-wizard files are encrypted to the keys in vault/<profile>.recipients');
      }
      fail(
        'vault-not-recipient',
        `${ctx.file} is not encrypted to your key ${publicKey} (it is encrypted to ${describeRecipients(header)})`,
        `ask someone who can read it to run \`homelab-wizard secrets recipients add ${publicKey}\`, or use the right identity (HOMELAB_WIZARD_IDENTITY)`,
      );
    }
    payloadFailure(error, ctx);
  }
  return decodeText(plain, ctx);
}

/** Decrypt a passphrase-protected file (the operator's identity in passphrase mode). */
export async function decryptWithPassphrase(bytes: Uint8Array, passphrase: Secret, ctx: FileContext): Promise<string> {
  const raw = unarmor(bytes, ctx);
  const header = ageHeader(raw, ctx);
  if (!header.stanzaTypes.includes('scrypt')) fail('identity-invalid', `${ctx.file} is encrypted to keys, not with a passphrase`, 'point HOMELAB_WIZARD_IDENTITY at an identity file (age-keygen format or passphrase-protected)');
  const decrypter = new Decrypter();
  decrypter.addPassphrase(passphrase.reveal());
  let plain: Uint8Array;
  try {
    plain = await readAllBytes(await decrypter.decrypt(streamOf(raw)));
  } catch (error) {
    if (error instanceof Error && error.message === "no identity matched any of the file's recipients") {
      fail('identity-invalid', `wrong passphrase for ${ctx.file}`, 'type it again, or check HOMELAB_WIZARD_PASSPHRASE');
    }
    payloadFailure(error, ctx);
  }
  return decodeText(plain, ctx);
}

/** Armored age text encrypted to every recipient. */
export async function encryptToRecipients(plaintext: string, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0) throw new WizardError('recipient-invalid', 'no recipients to encrypt to', 'add one with `homelab-wizard secrets recipients add age1…`');
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    try {
      encrypter.addRecipient(recipient);
    } catch {
      throw new WizardError('recipient-invalid', `${recipient} is not a valid age public key`, 'fix or remove it in vault/<profile>.recipients');
    }
  }
  return armor.encode(await readAllBytes(await encrypter.encrypt(streamOf(new TextEncoder().encode(plaintext)))));
}

/** Armored age text encrypted with a passphrase (scrypt with 2^logN work). */
export async function encryptWithPassphrase(plaintext: string, passphrase: Secret, logN: number): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.setPassphrase(passphrase.reveal());
  encrypter.setScryptWorkFactor(logN);
  return armor.encode(await readAllBytes(await encrypter.encrypt(streamOf(new TextEncoder().encode(plaintext)))));
}

export async function newIdentity(): Promise<{ secretKey: Secret; publicKey: string }> {
  const secretKey = await generateX25519Identity();
  return { secretKey: Secret.of(secretKey), publicKey: await identityToRecipient(secretKey) };
}

/** The public key of an identity; undefined when its checksum or length is wrong. */
export async function publicKeyOf(secretKey: Secret): Promise<string | undefined> {
  try {
    return await identityToRecipient(secretKey.reveal());
  } catch {
    return undefined;
  }
}

/** Why a string cannot be a recipient (shape, then bech32 checksum), or undefined. */
export function recipientProblem(value: string): string | undefined {
  const shape = recipientShapeProblem(value);
  if (shape !== undefined) return shape;
  try {
    new Encrypter().addRecipient(value);
    return undefined;
  } catch {
    return 'is not a valid age public key (its checksum does not match: a typo or a cut copy)';
  }
}
