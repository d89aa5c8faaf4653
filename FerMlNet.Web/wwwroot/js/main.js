// Page start-up: tabs, the model chip, and the fps / latency chips shared by the views.
import { modelInfo } from './api.js';
import { LiveView } from './live.js';
import { PhotoView } from './photo.js';
import { BatchView } from './batch.js';

const settings = { threshold: 0.7, smoothFrames: 6 };

class StatusChips {
  constructor() { this.fps = document.getElementById('fps-chip'); this.latency = document.getElementById('latency-chip'); this.times = []; }
  frame(serverMs, roundTripMs) {
    const now = performance.now();
    this.times.push(now);
    // A rate over the last two seconds, but never over fewer than two answers: on a slow server (one answer every
    // few seconds) the window would hold one answer and the chip would claim 0 fps. Until the second answer there
    // is no rate to show yet.
    while (this.times.length > 2 && now - this.times[0] > 2000) this.times.shift();
    if (this.times.length > 1) {
      const fps = (this.times.length - 1) / ((now - this.times[0]) / 1000);
      this.fps.textContent = `${fps.toFixed(fps < 1 ? 2 : 1)} fps`;
    }
    this.latency.textContent = `server ${serverMs.toFixed(0)} ms · round trip ${roundTripMs.toFixed(0)} ms`;
  }
  reset() { this.times = []; this.fps.textContent = '– fps'; this.latency.textContent = 'server – ms'; }
}

function setUpTabs() {
  const tabs = document.querySelectorAll('.tab');
  tabs.forEach(tab => tab.addEventListener('click', () => {
    tabs.forEach(t => { t.classList.toggle('active', t === tab); t.setAttribute('aria-selected', String(t === tab)); });
    document.querySelectorAll('.panel').forEach(p => { p.hidden = p.id !== tab.dataset.tab; p.classList.toggle('active', p.id === tab.dataset.tab); });
  }));
}

async function main() {
  setUpTabs();
  try {
    const info = await modelInfo();
    settings.threshold = info.threshold;
    document.getElementById('model-chip').textContent = info.name;
    document.getElementById('threshold').textContent = info.threshold.toFixed(2);
  } catch {
    document.getElementById('model-chip').textContent = 'model unavailable';
  }
  document.getElementById('smooth-frames').textContent = settings.smoothFrames;
  new LiveView(settings, new StatusChips());
  new PhotoView();
  new BatchView();
  document.body.dataset.ready = 'true';
}

main();
