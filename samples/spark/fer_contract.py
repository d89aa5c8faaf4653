"""FerMlNet's preprocessing contract in Python (Pillow + NumPy), for engines that score the exported ONNX outside .NET.

The contract (FerMlNet.Preprocessing, version below): decode; IsoCrop to 48x48 (scale so the shorter side is 48,
centre, crop the longer side); grey with L = 0.3 R + 0.59 G + 0.11 B; divide by 255. On 48x48 inputs -- dataset
faces, `fer data import` crops -- this gives the .NET contract's values exactly (both decode JPEG with libjpeg-turbo's
default IDCT; tested on the embedded test split by SparkSampleTests). Larger images are resized with Pillow's bicubic
filter where .NET uses Skia's mipmapped bicubic: close, not identical (docs/performance.md gives the measured gap).

Run as a script it writes the contract's grey bytes of each file named on stdin, for the parity test:
    python3 fer_contract.py --dump OUT.bin < paths.txt
OUT.bin holds, per path in order, one status byte (1 = decoded, 0 = refused) and 2,304 grey bytes.
"""
import io
import sys

import numpy as np
from PIL import Image

CONTRACT_VERSION = "fer-pre-v1;skia-2.88;isocrop-center-high;gray-0.3-0.59-0.11;red;div255"
IMAGE_SIZE = 48
LUMA = (0.3, 0.59, 0.11)
MIN_SIDE, MAX_SIDE, MAX_PIXELS = 16, 8192, 40_000_000
CLASSES = ("happy", "neutral", "sad", "surprise")
INPUT_NAME, PROBABILITIES_NAME = "input", "probabilities"
UNCERTAIN_THRESHOLD = 0.7


class ContractError(ValueError):
    """An image the contract refuses, with the reason FerMlNet gives."""


def _iso_crop_box(width, height):
    """The destination rectangle of the .NET contract's IsoCrop (float32 arithmetic, truncation as C# casts do)."""
    f32 = np.float32
    width_aspect, height_aspect = f32(IMAGE_SIZE) / f32(width), f32(IMAGE_SIZE) / f32(height)
    dest_x = dest_y = 0
    if height_aspect < width_aspect:
        aspect = width_aspect
        dest_y = int((f32(IMAGE_SIZE) - f32(height) * aspect) / f32(2))
    else:
        aspect = height_aspect
        dest_x = int((f32(IMAGE_SIZE) - f32(width) * aspect) / f32(2))
    return dest_x, dest_y, int(f32(width) * aspect), int(f32(height) * aspect)


def grey_bytes(encoded: bytes) -> np.ndarray:
    """The contract's 48x48 grey levels (uint8) of an encoded image; ContractError when it is refused."""
    if not encoded:
        raise ContractError("empty file (0 bytes)")
    try:
        image = Image.open(io.BytesIO(encoded))
        width, height = image.size
    except Exception as error:  # Pillow raises several types for undecodable data
        raise ContractError(f"not a decodable image ({error})") from None
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ContractError(f"image too small ({width}x{height}; at least {MIN_SIDE} px per side)")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ContractError(f"image too large ({width}x{height})")
    try:
        image.load()
    except Exception as error:
        raise ContractError(f"image data is corrupt or truncated ({error})") from None
    # Transparent pixels are drawn over black, as the .NET contract draws its premultiplied bitmap on an opaque one.
    rgba = image.convert("RGBA")
    black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
    rgb = Image.alpha_composite(black, rgba).convert("RGB")
    x, y, w, h = _iso_crop_box(width, height)
    if (w, h) != rgb.size:
        rgb = rgb.resize((w, h), Image.BICUBIC)
    canvas = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), (0, 0, 0))
    canvas.paste(rgb, (x, y))
    pixels = np.asarray(canvas, dtype=np.float32) / np.float32(255)
    grey = pixels[..., 0] * np.float32(LUMA[0]) + pixels[..., 1] * np.float32(LUMA[1]) + pixels[..., 2] * np.float32(LUMA[2])
    return np.clip(np.floor(grey * np.float32(255) + np.float32(0.5)), 0, 255).astype(np.uint8)


def network_input(encoded: bytes) -> np.ndarray:
    """The network's input for one image: float32 [1, 48, 48] in [0, 1]."""
    return (grey_bytes(encoded).astype(np.float32) / np.float32(255))[None, :, :]


def answer(probabilities, threshold=UNCERTAIN_THRESHOLD):
    """The product's answer for one face: the top class, or "uncertain" when its probability is below the threshold."""
    top = int(np.argmax(probabilities))
    return (CLASSES[top] if probabilities[top] >= threshold else "uncertain"), float(probabilities[top])


def _dump(out_path):
    with open(out_path, "wb") as out:
        for line in sys.stdin:
            path = line.rstrip("\n")
            if not path:
                continue
            try:
                with open(path, "rb") as f:
                    grey = grey_bytes(f.read())
                out.write(b"\x01" + grey.tobytes())
            except ContractError:
                out.write(b"\x00" + bytes(IMAGE_SIZE * IMAGE_SIZE))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        _dump(sys.argv[2])
    else:
        sys.exit(__doc__)
