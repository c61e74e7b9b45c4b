/**
 * Bytes made on the device (photos, signature strokes) and their resumable upload
 * (docs/SYNC_PROTOCOL.md, "Blobs"): kept in IndexedDB under their sha256 until the server has all
 * of them, sent in chunks with `Upload-Offset`, resumed from the server's offset after a break.
 */
import { Problem } from './http.js';
import { sha256Hex } from './digest.js';

export const CHUNK_BYTES = 256 * 1024;

/** Keep `bytes` on the device; returns the `sha256:` reference ops carry (`uploaded`: the server has them). */
export async function keepBlob(db, bytes, mediaType, { uploaded = false } = {}) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const hex = await sha256Hex(data);
  const existing = await db.get('blobs', hex);
  if (!existing) await db.put('blobs', { hex, bytes: data, media_type: mediaType, uploaded, kept_at: Date.now() });
  return `sha256:${hex}`;
}

export async function blobsToUpload(db) {
  return (await db.getAll('blobs')).filter((blob) => !blob.uploaded);
}

/** Upload (or resume) one kept blob; `onProgress(sent, total)` after each chunk. */
export async function uploadBlob(db, http, blob, onProgress = () => {}) {
  const path = `/sync/blobs/${blob.hex}`;
  const total = blob.bytes.byteLength;
  let offset = await serverOffset(http, path);
  while (offset < total) {
    const chunk = blob.bytes.slice(offset, offset + CHUNK_BYTES);
    try {
      const response = await http.request('PATCH', path, {
        body: chunk,
        headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset),
          'Upload-Length': String(total) },
      });
      offset = Number(response.headers.get('Upload-Offset'));
    } catch (error) {
      if (!(error instanceof Problem) || !String(error.problem.type || '').endsWith('/offset-mismatch')) throw error;
      offset = await serverOffset(http, path);
    }
    onProgress(offset, total);
  }
  await db.put('blobs', { ...blob, uploaded: true });
}

async function serverOffset(http, path) {
  try {
    const response = await http.request('HEAD', path);
    return Number(response.headers.get('Upload-Offset') || 0);
  } catch (error) {
    if (error instanceof Problem && error.problem.status === 404) return 0;
    throw error;
  }
}

/** Bytes of a blob as a browser Blob (a photo preview, a PDF to open). */
export async function localBlob(db, ref) {
  const row = await db.get('blobs', ref.replace(/^sha256:/, ''));
  return row ? new Blob([row.bytes], { type: row.media_type }) : null;
}
