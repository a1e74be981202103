import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Field encryption for personal data (phone numbers). Two keys are derived from one secret with
 * HKDF so the blind index cannot be used to decrypt and the cipher key never doubles as a MAC key.
 */
export interface FieldCrypto {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** Deterministic keyed hash for exact-match lookups without storing the value in clear. */
  blindIndex(plain: string): string;
  /**
   * Provider credentials stored in Settings (delivery_providers): a key of their own, so a
   * ciphertext copied from a contact column never decrypts as a secret, or the reverse.
   */
  sealSecret(plain: string): string;
  openSecret(stored: string): string;
}

const VERSION = "v1";

export function fieldCrypto(secret: string): FieldCrypto {
  if (secret.length < 32) throw new Error("WAYMARK_SECRET must be at least 32 characters");
  const ikm = Buffer.from(secret, "utf8");
  const encKey = Buffer.from(hkdfSync("sha256", ikm, "waymark", "field-encryption", 32));
  const macKey = Buffer.from(hkdfSync("sha256", ikm, "waymark", "blind-index", 32));
  const secretKey = Buffer.from(hkdfSync("sha256", ikm, "waymark", "provider-secrets", 32));
  return {
    encrypt: (plain) => seal(encKey, plain),
    decrypt: (stored) => open(encKey, stored),
    blindIndex(plain) {
      return createHmac("sha256", macKey).update(plain, "utf8").digest("base64url");
    },
    sealSecret: (plain) => seal(secretKey, plain),
    openSecret: (stored) => open(secretKey, stored),
  };
}

function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    iv.toString("base64url"),
    body.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

function open(key: Buffer, stored: string): string {
  const [version, iv, body, tag] = stored.split(".");
  if (version !== VERSION || !iv || body === undefined || !tag) {
    throw new Error("unrecognised ciphertext format");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(body, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}

/**
 * The configured secret, or one generated once into the data directory (mode 0600) so a fresh
 * install encrypts from the first contact and keeps decrypting after a restart.
 */
export function loadOrCreateSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
