// The REST API as the page uses it: one image in, faces out. Errors carry the server's JSON message.
export const CLASSES = ['happy', 'neutral', 'sad', 'surprise'];

export class ApiError extends Error {
  constructor(status, message, retryAfterSeconds = null) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export async function predict(blob, detectorSide = null) {
  const started = performance.now();
  const url = detectorSide ? `/api/v1/predict?detectorSide=${detectorSide}` : '/api/v1/predict';
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': blob.type || 'application/octet-stream' },
    body: blob,
  });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) {
    const retryAfter = Number.parseFloat(response.headers.get('Retry-After'));
    throw new ApiError(response.status, body.error || body.detail || `HTTP ${response.status}`,
      Number.isFinite(retryAfter) ? retryAfter : null);
  }
  body.roundTripMs = performance.now() - started;
  return body;
}

export async function modelInfo() {
  const response = await fetch('/api/v1/model');
  if (!response.ok) throw new ApiError(response.status, 'model information unavailable');
  return response.json();
}
