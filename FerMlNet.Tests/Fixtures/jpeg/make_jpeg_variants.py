#!/usr/bin/env python3
"""Writes the JPEG variants the hostile corpus needs but SkiaSharp cannot encode: CMYK (Adobe, inverted, as
Photoshop writes it), progressive, and progressive CMYK, from one real face of the dataset scaled to 96x96.
Run from this folder with Debian's python3-pil: python3 make_jpeg_variants.py (outputs are committed)."""
from pathlib import Path
from PIL import Image

here = Path(__file__).resolve().parent
root = here.parents[2]
face = sorted((root / "datasets/fer4-mit/train/happy").iterdir())[0]
rgb = Image.open(face).convert("RGB").resize((96, 96), Image.BICUBIC)
rgb.convert("CMYK").save(here / "cmyk.jpg", quality=90)
rgb.save(here / "progressive.jpg", quality=90, progressive=True)
rgb.convert("CMYK").save(here / "cmyk-progressive.jpg", quality=90, progressive=True)
Image.open(face).save(here / "gray-progressive-optimized.jpg", quality=85, progressive=True, optimize=True)
print("wrote", ", ".join(p.name for p in sorted(here.glob("*.jpg"))), "from", face.relative_to(root))
