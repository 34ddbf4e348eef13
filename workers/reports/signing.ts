import type { Config } from '../env.ts';
import { fromBase64Url, toBase64Url } from '../lib/encoding.ts';

/**
 * Short-lived download links. With R2's S3 credentials configured (production) a link is an
 * S3 presigned GET straight to R2; otherwise (locally, or without credentials) it is an
 * HMAC-signed Worker URL, `/api/reports/:id/download?exp=&sig=`, that the Worker verifies and
 * serves from the R2 binding. Either way the link expires after URL_TTL_SEC.
 */
export const URL_TTL_SEC = 15 * 60;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // Its own derivation label: a cursor or token signature can never pass as a download link.
    key = crypto.subtle.importKey('raw', encoder.encode(`report-url:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

/** The signature from a link, or undefined when it is not URL-safe base64 of a sane length. */
function fromB64url(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(s)) return undefined;
  try {
    return fromBase64Url(s);
  } catch {
    return undefined;
  }
}

const payload = (reportId: string, exp: number) => encoder.encode(`${reportId}.${exp}`);

export async function signDownload(secret: string, reportId: string, exp: number): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), payload(reportId, exp))));
}

/** True when `sig` is ours for (reportId, exp) and exp is neither past nor further than the TTL. */
export async function verifyDownload(
  secret: string,
  reportId: string,
  exp: string | undefined,
  sig: string | undefined,
  now: Date,
): Promise<boolean> {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expSec = Number(exp);
  const nowSec = Math.floor(now.getTime() / 1000);
  if (expSec < nowSec || expSec > nowSec + URL_TTL_SEC + 60) return false;
  const bytes = fromB64url(sig);
  if (!bytes) return false;
  // crypto.subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', await hmacKey(secret), bytes, payload(reportId, expSec));
}

export interface R2Credentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export function r2Credentials(config: Config): R2Credentials | undefined {
  const { R2_ACCOUNT_ID: accountId, R2_ACCESS_KEY_ID: accessKeyId, R2_SECRET_ACCESS_KEY: secretAccessKey, R2_BUCKET_NAME: bucket } = config;
  return accountId && accessKeyId && secretAccessKey && bucket ? { accountId, accessKeyId, secretAccessKey, bucket } : undefined;
}

/** An S3 presigned GET for an R2 object (signing is local: no network call). */
export async function presignR2(creds: R2Credentials, key: string, filename: string, expiresIn = URL_TTL_SEC): Promise<string> {
  // Loaded on first use: requests that never presign do not pay for evaluating the SDK.
  const [{ S3Client, GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const client = new S3Client({
    region: 'auto',
    endpoint: `https://${creds.accountId}.r2.cloudflarestorage.com`,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    // Otherwise the SDK adds checksum parameters R2 does not expect.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const command = new GetObjectCommand({
    Bucket: creds.bucket,
    Key: key,
    ResponseContentType: 'application/pdf',
    ResponseContentDisposition: `attachment; filename="${filename}"`,
  });
  return getSignedUrl(client, command, { expiresIn });
}
