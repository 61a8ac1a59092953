import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The mail Steward sent during the suite. run.sh starts a real SMTP server
 * (tests/mail/smtp_server.py) that writes each message it accepts to STEWARD_E2E_MAIL_DIR as
 * NNNN.json; these helpers read them back.
 */

/** A message as tests/mail/smtp_server.py stores it. */
export type Mail = { file: string; from: string; to: string[]; subject: string; text: string; html: string; raw: string };

/** A link to choose a new password. */
export const RESET_LINK = /https?:\/\/[^\s"'<>]+\/login\/reset\/[A-Za-z0-9_-]+/;
/** A link to verify an e-mail address. */
export const VERIFY_LINK = /https?:\/\/[^\s"'<>]+\/verify-email\/[A-Za-z0-9_-]+/;

function mailDir(): string {
  const dir = process.env.STEWARD_E2E_MAIL_DIR;
  if (!dir) throw new Error('STEWARD_E2E_MAIL_DIR is not set: run the suite with end2end/run.sh');
  return dir;
}

/** Every message the SMTP server has accepted so far, oldest first. */
export async function allMail(): Promise<Mail[]> {
  const files = (await readdir(mailDir())).filter((f) => /^\d+\.json$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({ file, ...JSON.parse(await readFile(join(mailDir(), file), 'utf-8')) }) as Mail),
  );
}

export function mailTo(all: Mail[], address: string): Mail[] {
  return all.filter((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

/**
 * Waits (up to `timeout` ms) for the `nth` message (1 = the first) sent to `address` that carries
 * a link matching `pattern` in its plain-text part, and returns it with that link.
 */
export async function waitForLink(
  address: string,
  pattern: RegExp,
  nth = 1,
  timeout = 20_000,
): Promise<{ mail: Mail; link: string }> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const mine = mailTo(await allMail(), address).filter((m) => pattern.test(m.text));
    if (mine.length >= nth) {
      const mail = mine[nth - 1];
      return { mail, link: mail.text.match(pattern)![0] };
    }
    if (Date.now() > deadline) throw new Error(`no mail with ${pattern} to ${address} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
