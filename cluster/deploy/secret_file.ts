/**
 * The cluster secret on disk: hex text (at least 32 hex digits, i.e. 16 bytes; surrounding
 * whitespace ignored), in a file only its owner can read. Make one with
 * `openssl rand -hex 32 > secret && chmod 600 secret`, or let `startProcessCluster` write a fresh one.
 *
 * @module
 */

const HEX = /^[0-9a-fA-F]+$/;

/** Decodes secret-file text. Throws `TypeError` unless it is hex of at least 16 bytes. */
export function parseSecret(text: string, what = "secret"): Uint8Array {
  const hex = text.trim();
  if (hex.length < 32 || hex.length % 2 !== 0 || !HEX.test(hex)) {
    throw new TypeError(`The ${what} must hold an even number (at least 32) of hex digits`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex text of a secret, as written to a secret file. */
export function formatSecret(secret: Uint8Array): string {
  return Array.from(secret, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads a secret file. Warns (through `warn`) when the file is readable by group or others,
 * as `ssh` would complain about a private key.
 */
export async function readSecretFile(
  path: string,
  options: { warn?: (line: string) => void } = {},
): Promise<Uint8Array> {
  const text = await Deno.readTextFile(path);
  const mode = (await Deno.stat(path)).mode;
  if (mode !== null && (mode & 0o077) !== 0) {
    options.warn?.(
      `warning: secret file ${path} is accessible by other users (mode ${
        (mode & 0o777).toString(8)
      }); chmod 600 it`,
    );
  }
  return parseSecret(text, `secret file ${path}`);
}

/**
 * Writes a fresh random secret of `bytes` bytes to a new owner-only (0600) temporary file.
 * The caller removes it.
 */
export async function createSecretFile(
  options: { bytes?: number; dir?: string } = {},
): Promise<{ path: string; secret: Uint8Array }> {
  const n = options.bytes ?? 32;
  if (!Number.isSafeInteger(n) || n < 16) throw new RangeError(`A secret needs at least 16 bytes, got ${n}`);
  const secret = crypto.getRandomValues(new Uint8Array(n));
  const path = await Deno.makeTempFile({
    prefix: "frontier-secret-",
    ...(options.dir ? { dir: options.dir } : {}),
  });
  try {
    await Deno.chmod(path, 0o600);
    await Deno.writeTextFile(path, formatSecret(secret) + "\n");
  } catch (e) {
    await Deno.remove(path).catch(() => {});
    throw e;
  }
  return { path, secret };
}
