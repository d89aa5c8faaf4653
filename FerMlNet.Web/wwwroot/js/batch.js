// Batch mode: several photos scored two at a time, one table row per face (or per file with no face / an error),
// and a CSV download with the columns of `fer score`.
import { predict, CLASSES } from './api.js';
import { setUpDropZone } from './photo.js';

const COLUMNS = ['path', 'face', 'x', 'y', 'width', 'height', 'label', 'confidence',
  'p_happy', 'p_neutral', 'p_sad', 'p_surprise', 'error'];

export class BatchView {
  constructor() {
    this.rows = [];
    this.body = document.querySelector('#batch-table tbody');
    this.message = document.getElementById('batch-status');
    this.csvButton = document.getElementById('batch-csv');
    this.csvButton.addEventListener('click', () => this.download());
    setUpDropZone(document.getElementById('batch-drop'), document.getElementById('batch-input'), files => this.run(files));
  }

  async run(files) {
    let done = 0, faces = 0, errors = 0;
    const queue = [...files];
    const worker = async () => {
      for (let file; (file = queue.shift());) {
        try {
          const answer = await predict(file);
          if (answer.faces.length === 0) this.add({ path: file.name, error: 'no face' });
          answer.faces.forEach((f, i) => this.add({ path: file.name, face: i, ...f.box, label: f.label,
            confidence: f.confidence, ...Object.fromEntries(CLASSES.map(c => [`p_${c}`, f.probabilities[c]])) }));
          faces += answer.faces.length;
        } catch (e) {
          errors++;
          this.add({ path: file.name, error: e.message });
        }
        this.message.textContent = `${++done}/${files.length} photos · ${faces} faces · ${errors} errors`;
      }
    };
    await Promise.all([worker(), worker()]);
    this.csvButton.disabled = this.rows.length === 0;
  }

  add(row) {
    this.rows.push(row);
    const tr = document.createElement('tr');
    const cells = row.error
      ? [row.path, '', row.error, '', '', '', '', '']
      : [row.path, row.face + 1, row.label, pct(row.confidence), ...CLASSES.map(c => pct(row[`p_${c}`]))];
    for (const value of cells) {
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(td);
    }
    if (row.error) tr.className = 'error-row';
    this.body.append(tr);
  }

  download() {
    const csv = [COLUMNS.join(','), ...this.rows.map(r => COLUMNS.map(c => csvField(r[c])).join(','))].join('\n') + '\n';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    link.download = 'fermlnet-scores.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  }
}

const pct = p => `${Math.round(p * 100)}%`;

// One CSV cell as `fer score` writes it (Csv.Line): a text cell a spreadsheet would run as a formula (=, +, -, @, tab,
// carriage return first) or one starting with an apostrophe gets a leading apostrophe (OWASP CSV injection); numbers
// stay numbers; then RFC 4180 quoting.
export const csvField = v => {
  if (v === undefined || v === null) return '';
  let s = String(v);
  const number = typeof v === 'number' || /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
  if (s.startsWith("'") || (/^[=+\-@\t\r]/.test(s) && !number)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
