/** The sha256 of bytes as lowercase hex (WebCrypto): blob names and scheme hashes alike. */
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
