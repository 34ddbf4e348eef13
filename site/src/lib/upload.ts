// Image uploads (workers/images): declare type and size, PUT the bytes where the API says
// (a presigned R2 URL in production, the Worker locally), then ask the API to check and attach.
import { ApiError, api, CSRF_COOKIE, CSRF_HEADER, readCookie } from './api';
import type { ApiRequest, Schemas } from './types';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
export const MAX_IMAGE_BYTES = 1024 * 1024;

type UploadStart = Schemas['UploadStart'];
export type StoredImage = Schemas['StoredImage'];
type UploadRequest = ApiRequest<'/api/images/uploads'>;

/** Checked here first (a quick answer); the server checks everything again. Returns an i18n key on a refusal. */
export function imageProblem(file: File): 'upload.type' | 'upload.size' | null {
  if (!IMAGE_TYPES.includes(file.type)) return 'upload.type';
  if (file.size > MAX_IMAGE_BYTES) return 'upload.size';
  return null;
}

export async function uploadImage(
  file: File,
  target: { purpose: 'course_cover'; courseId: string } | { purpose: 'avatar' },
): Promise<StoredImage> {
  const body: UploadRequest = { ...target, contentType: file.type, size: file.size };
  const start = await api.post<UploadStart>('/api/images/uploads', body);
  const headers: Record<string, string> = { ...start.headers };
  // Through the Worker the session cookie goes along, so the CSRF header must too; R2 gets neither.
  if (start.via === 'worker') headers[CSRF_HEADER] = readCookie(CSRF_COOKIE) ?? '';
  const put = await fetch(start.url, {
    method: 'PUT',
    body: file,
    headers,
    credentials: start.via === 'worker' ? 'same-origin' : 'omit',
  });
  if (!put.ok) {
    // The API's own error shape (through the Worker), else a plain failure.
    const body = (await put.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError({ status: put.status, code: body?.error?.code ?? `http_${put.status}`, message: body?.error?.message ?? '' });
  }
  return api.post<StoredImage>('/api/images/uploads/complete', { ticket: start.ticket });
}
