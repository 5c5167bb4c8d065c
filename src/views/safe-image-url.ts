/** Whether a URL may be shown as an image: http(s), or an inline base64 PNG, JPEG, GIF or WebP (server pages and the labeling page's browser code). */
export function isSafeImageUrl(url: string | undefined | null): url is string {
  return typeof url === 'string' && (/^https?:\/\//i.test(url) || /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=]+$/i.test(url));
}
