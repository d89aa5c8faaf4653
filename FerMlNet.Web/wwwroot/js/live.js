// Live mode: each new webcam frame goes to the predict endpoint once, with at most one request in flight (the next
// new frame is sent when the answer for the previous one arrived, so a slow server or network lowers the frame rate
// instead of queueing frames, and a fast one never sees the same frame twice); each face's smoothed label and
// probability bars are drawn over the mirrored video. A 429 backs off for the server's Retry-After (doubling while
// it lasts); the message clears at the next answer.
import { predict, ApiError } from './api.js';
import { drawFace, faceCard } from './draw.js';
import { FaceTracker } from './tracker.js';

const SEND_WIDTH = 640;          // frames are sent at most 640 px wide: the detector works at 640 px anyway
const JPEG_QUALITY = 0.8;
const DETECTOR_SIDE = 320;       // webcam faces are large: the detector finds them at 320 px in a third of the time

export class LiveView {
  constructor(settings, status) {
    this.settings = settings;
    this.status = status;
    this.video = document.getElementById('live-video');
    this.canvas = document.getElementById('live-canvas');
    this.stage = document.getElementById('live-stage');
    this.facesBox = document.getElementById('live-faces');
    this.message = document.getElementById('live-status');
    this.tracker = new FaceTracker(settings.smoothFrames);
    this.faces = [];
    this.running = false;
    this.sendCanvas = document.createElement('canvas');
    document.getElementById('live-start').addEventListener('click', () => this.start());
    document.getElementById('live-stop').addEventListener('click', () => this.stop());
  }

  async start() {
    if (this.running) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      this.message.textContent = 'This browser cannot open a camera here (a camera needs https or localhost).';
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (e) {
      this.message.textContent = `Camera unavailable: ${e.message || e.name}. Use the Photo tab instead.`;
      return;
    }
    this.video.srcObject = this.stream;
    await this.video.play();
    this.running = true;
    this.tracker.reset();
    document.getElementById('live-empty').hidden = true;
    document.getElementById('live-stop').hidden = false;
    this.message.textContent = '';
    requestAnimationFrame(() => this.render());
    this.sendLoop();
  }

  stop() {
    this.running = false;
    this.stream?.getTracks().forEach(t => t.stop());
    document.getElementById('live-empty').hidden = false;
    document.getElementById('live-stop').hidden = true;
    this.status.reset();
  }

  async sendLoop() {
    let backoffMs = 0;
    while (this.running) {
      await this.nextVideoFrame();
      if (!this.running) break;
      const blob = await this.captureFrame();
      if (!blob) continue;
      try {
        const answer = await predict(blob, DETECTOR_SIDE);
        backoffMs = 0;
        this.message.textContent = '';
        this.scale = this.video.videoWidth / answer.image.width;
        this.faces = this.tracker.update(answer.faces, this.settings.threshold);
        this.status.frame(answer.elapsedMs, answer.roundTripMs);
        this.showCards();
      } catch (e) {
        this.message.textContent = e instanceof ApiError ? `Server: ${e.message}` : `Network: ${e.message}`;
        if (e instanceof ApiError && e.status === 429) {
          backoffMs = Math.min(8000, Math.max((e.retryAfterSeconds ?? 1) * 1000, backoffMs * 2));
          await sleep(backoffMs);
        } else {
          await sleep(300);
        }
      }
    }
  }

  // Resolves when the camera has presented a frame the page has not sent yet: requestVideoFrameCallback where the
  // browser has it, else the next animation frame after the video's time moved on.
  nextVideoFrame() {
    if (this.video.requestVideoFrameCallback) {
      return new Promise(resolve => this.video.requestVideoFrameCallback(() => resolve()));
    }
    return new Promise(resolve => {
      const wait = () => {
        if (!this.running || this.video.currentTime !== this.lastSentTime) {
          this.lastSentTime = this.video.currentTime;
          resolve();
        } else {
          requestAnimationFrame(wait);
        }
      };
      wait();
    });
  }

  captureFrame() {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return Promise.resolve(null);
    const scale = Math.min(1, SEND_WIDTH / w);
    this.sendCanvas.width = Math.round(w * scale);
    this.sendCanvas.height = Math.round(h * scale);
    this.sendCanvas.getContext('2d').drawImage(this.video, 0, 0, this.sendCanvas.width, this.sendCanvas.height);
    return new Promise(resolve => this.sendCanvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  }

  render() {
    if (!this.running) return;
    const { videoWidth: w, videoHeight: h } = this.video;
    if (w && h) {
      if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
      const ctx = this.canvas.getContext('2d');
      // Mirror the picture like a mirror, then draw boxes at mirrored positions with unmirrored text.
      ctx.save();
      ctx.translate(w, 0);
      ctx.scale(-1, 1);
      ctx.drawImage(this.video, 0, 0, w, h);
      ctx.restore();
      const scale = this.scale || 1;
      for (const face of this.faces) {
        const mirrored = { ...face, box: { ...face.box, x: w / scale - face.box.x - face.box.width } };
        drawFace(ctx, mirrored, scale);
      }
    }
    requestAnimationFrame(() => this.render());
  }

  showCards() {
    this.stage.dataset.faces = String(this.faces.length);
    this.stage.dataset.labels = this.faces.map(f => f.label).join(',');
    if (this.faces.length === 0) {
      this.facesBox.innerHTML = '<p class="muted">No face in view.</p>';
      return;
    }
    this.facesBox.replaceChildren(...this.faces.slice(0, 4).map((f, i) => faceCard(f, `Face ${i + 1}`)));
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
