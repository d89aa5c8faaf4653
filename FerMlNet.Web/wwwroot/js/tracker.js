// Keeps faces stable across webcam frames: each new face joins the track whose last box overlaps it most, and a
// track's label comes from its probabilities averaged over the last `window` frames, so labels don't flicker.
import { CLASSES } from './api.js';

function iou(a, b) {
  const x1 = Math.max(a.x, b.x), y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width), y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

export class FaceTracker {
  constructor(window = 6, maxMissed = 3) { this.window = window; this.maxMissed = maxMissed; this.tracks = []; this.nextId = 1; }

  /** Adds one frame's faces; returns the smoothed faces of the live tracks. */
  update(faces, threshold) {
    const unmatched = new Set(this.tracks);
    for (const face of faces) {
      let best = null, bestIou = 0.3;
      for (const track of unmatched) {
        const overlap = iou(track.box, face.box);
        if (overlap > bestIou) { best = track; bestIou = overlap; }
      }
      if (best) {
        unmatched.delete(best);
        best.box = { x: best.box.x * 0.4 + face.box.x * 0.6, y: best.box.y * 0.4 + face.box.y * 0.6,
                     width: best.box.width * 0.4 + face.box.width * 0.6, height: best.box.height * 0.4 + face.box.height * 0.6 };
        best.history.push(face.probabilities);
        if (best.history.length > this.window) best.history.shift();
        best.missed = 0;
      } else {
        this.tracks.push({ id: this.nextId++, box: { ...face.box }, history: [face.probabilities], missed: 0 });
      }
    }
    for (const track of unmatched) track.missed++;
    this.tracks = this.tracks.filter(t => t.missed <= this.maxMissed);
    return this.tracks.filter(t => t.missed === 0).map(t => smoothed(t, threshold));
  }

  reset() { this.tracks = []; }
}

function smoothed(track, threshold) {
  const probabilities = {};
  for (const cls of CLASSES) probabilities[cls] = track.history.reduce((s, p) => s + p[cls], 0) / track.history.length;
  const predictedClass = CLASSES.reduce((a, b) => (probabilities[b] > probabilities[a] ? b : a));
  const confidence = probabilities[predictedClass];
  return { id: track.id, box: track.box, probabilities, predictedClass, confidence,
           label: confidence >= threshold ? predictedClass : 'uncertain' };
}
