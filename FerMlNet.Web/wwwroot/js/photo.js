// Photo mode: one dropped photo, every face boxed and listed.
import { predict } from './api.js';
import { drawFace, faceCard } from './draw.js';

export function setUpDropZone(zone, input, onFiles) {
  input.addEventListener('change', () => { if (input.files.length) onFiles([...input.files]); input.value = ''; });
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', e => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...e.dataTransfer.files].filter(f => /^image\/(jpeg|png)$/.test(f.type));
    if (files.length) onFiles(files);
  });
}

export class PhotoView {
  constructor() {
    this.canvas = document.getElementById('photo-canvas');
    this.facesBox = document.getElementById('photo-faces');
    this.message = document.getElementById('photo-status');
    setUpDropZone(document.getElementById('photo-drop'), document.getElementById('photo-input'), files => this.show(files[0]));
  }

  async show(file) {
    this.message.textContent = `Scoring ${file.name}…`;
    this.facesBox.replaceChildren();
    try {
      const [answer, bitmap] = await Promise.all([predict(file), createImageBitmap(file)]);
      const scale = Math.min(1, 1280 / bitmap.width);
      this.canvas.width = Math.round(bitmap.width * scale);
      this.canvas.height = Math.round(bitmap.height * scale);
      const ctx = this.canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0, this.canvas.width, this.canvas.height);
      // Numbered left to right, so the cards read in the order the faces appear.
      const faces = [...answer.faces].sort((a, b) => a.box.x - b.box.x);
      faces.forEach((face, i) => drawFace(ctx, face, this.canvas.width / answer.image.width, i + 1));
      this.canvas.hidden = false;
      this.facesBox.replaceChildren(...faces.map((f, i) => faceCard(f, `Face ${i + 1}`)));
      this.message.textContent = answer.faces.length === 0
        ? `No face found in ${file.name}.`
        : `${answer.faces.length} face(s) in ${file.name} · ${answer.elapsedMs.toFixed(0)} ms on the server`;
    } catch (e) {
      this.canvas.hidden = true;
      this.message.textContent = `${file.name}: ${e.message}`;
    }
  }
}
