// Drawing shared by the live and photo views: class colours, face boxes with labels, probability bars.
import { CLASSES } from './api.js';

export const COLORS = { happy: '#f7b32b', neutral: '#9aa5b1', sad: '#4c8dff', surprise: '#ff4f8b', uncertain: '#e6e6e6' };

export function labelText(face) {
  const pct = Math.round(face.confidence * 100);
  return face.label === 'uncertain' ? `uncertain (${face.predictedClass}? ${pct}%)` : `${face.label} ${pct}%`;
}

/** Draws a face box and its label; `scale` maps image pixels to canvas pixels. */
export function drawFace(ctx, face, scale = 1, number = null) {
  const color = COLORS[face.label] || COLORS.uncertain;
  const x = face.box.x * scale, y = face.box.y * scale;
  const w = face.box.width * scale, h = face.box.height * scale;
  const line = Math.max(2, Math.round(ctx.canvas.width / 320));
  ctx.save();
  ctx.lineWidth = line;
  ctx.strokeStyle = color;
  if (face.label === 'uncertain') ctx.setLineDash([8, 6]);
  ctx.strokeRect(x, y, w, h);
  ctx.setLineDash([]);
  const font = Math.max(14, Math.round(ctx.canvas.width / 40));
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  const text = (number === null ? '' : `${number} · `) + labelText(face);
  const pad = font * 0.35, tw = ctx.measureText(text).width + 2 * pad, th = font + 2 * pad;
  const ty = y - th >= 0 ? y - th : y; // no room above: inside the top of the box
  ctx.fillStyle = color;
  ctx.fillRect(x - line / 2, ty, tw, th);
  ctx.fillStyle = '#111';
  ctx.textBaseline = 'top';
  ctx.fillText(text, x - line / 2 + pad, ty + pad);
  ctx.restore();
}

/** A card with the face's label and a bar per class. */
export function faceCard(face, title) {
  const card = document.createElement('div');
  card.className = 'face-card';
  card.dataset.label = face.label;
  const head = document.createElement('div');
  head.className = 'face-head';
  head.innerHTML = `<span class="face-title"></span><span class="face-label"></span>`;
  head.querySelector('.face-title').textContent = title;
  const label = head.querySelector('.face-label');
  label.textContent = labelText(face);
  label.style.color = COLORS[face.label] || COLORS.uncertain;
  card.append(head);
  for (const cls of CLASSES) {
    const p = face.probabilities[cls];
    const row = document.createElement('div');
    row.className = 'bar-row';
    row.innerHTML = `<span class="bar-name"></span><span class="bar"><span class="bar-fill"></span></span><span class="bar-value"></span>`;
    row.querySelector('.bar-name').textContent = cls;
    const fill = row.querySelector('.bar-fill');
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    fill.style.background = COLORS[cls];
    row.querySelector('.bar-value').textContent = `${Math.round(p * 100)}%`;
    card.append(row);
  }
  return card;
}
