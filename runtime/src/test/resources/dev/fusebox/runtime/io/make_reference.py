"""Writes reference.safetensors with the independent reference writer (numpy + json only).

SafeTensorsTest reads the file back and checks that Fusebox writes the same tensors byte for byte.
Regenerate with: python3 make_reference.py
"""
import json
import struct

import numpy as np


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, value in tensors.items():
        raw = np.ascontiguousarray(value, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


f32 = np.float32
tensors = {
    "dense.weight": np.array([[1.5, -2.25, 0.125], [-0.0, np.finfo(f32).smallest_subnormal, np.finfo(f32).max]], dtype=f32),
    "dense.bias": np.array([0.5, -1.0, 2.0], dtype=f32),
    "step": np.array(42.0, dtype=f32),
    "empty": np.zeros((0, 4), dtype=f32),
    "na\u00efve.\u540d": np.array([np.inf, -np.inf], dtype=f32),
    'quote"back\\slash\ttab': np.array([7.0], dtype=f32),
}
write_safetensors("reference.safetensors", tensors)
