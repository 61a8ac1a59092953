import { createHmac } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** TOTP (RFC 6238) as an authenticator app computes it: 30-second steps, SHA-1, six digits. */

export const STEP_MS = 30_000;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (A-Z, 2-7), ignoring spaces and trailing padding. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error(`not a base32 character: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step a moment (ms since the epoch) falls in. */
export function stepAt(ms: number): number {
  return Math.floor(ms / STEP_MS);
}

export function currentStep(): number {
  return stepAt(Date.now());
}

/** The 6-digit code of `step` for a base32 key. */
export function totpAt(key: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hmac = createHmac('sha1', base32Decode(key)).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binary =
    ((hmac[offset] & 0x7f) << 24) | (hmac[offset + 1] << 16) | (hmac[offset + 2] << 8) | hmac[offset + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}

/** The current code, and the step it belongs to (the step the server then marks as used). */
export function currentCode(key: string): { code: string; step: number } {
  const step = currentStep();
  return { code: totpAt(key, step), step };
}

/** A well-formed 6-digit code that is not the code of the previous, current or next step. */
export function wrongCode(key: string): string {
  const step = currentStep();
  const valid = new Set([step - 1, step, step + 1, step + 2].map((s) => totpAt(key, s)));
  for (let n = 123_456; ; n = (n + 111_111) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/**
 * Each step's code is accepted once per user: waits until the clock is in a step later than
 * `usedStep` (plus a second of margin), so a fresh code can be computed.
 */
export async function waitForStepAfter(page: Page, usedStep: number): Promise<void> {
  const remaining = (usedStep + 1) * STEP_MS + 1_000 - Date.now();
  if (remaining > 0) await page.waitForTimeout(remaining);
  expect(currentStep()).toBeGreaterThan(usedStep);
}
