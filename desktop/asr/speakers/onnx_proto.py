"""Just enough of the ONNX protobuf format to write a small model in memory.

The GE2E speaker encoder ships as PyTorch weights; onnxruntime (already installed with
faster-whisper) runs its LSTM far faster than Python loops over numpy can. The graph is a handful
of standard operators, so it is encoded here field by field instead of depending on the ``onnx``
package (protobuf wire format: varint keys, length-delimited messages).
"""

from __future__ import annotations

import numpy as np

FLOAT = 1
INT64 = 7
_ATTR_INT = 2


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, value: bytes | int | str) -> bytes:
    """One protobuf field: an int as a varint, bytes or text length-delimited."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint((number << 3) | 2) + varint(len(data)) + data


def tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto with raw little-endian data (float32 or int64)."""
    arr = np.ascontiguousarray(array)
    kind = INT64 if arr.dtype == np.int64 else FLOAT
    data = arr.astype("<i8" if kind == INT64 else "<f4").tobytes()
    return b"".join(field(1, int(d)) for d in arr.shape) + field(2, kind) + field(8, name) + field(9, data)


def int_attribute(name: str, value: int) -> bytes:
    return field(1, name) + field(3, value) + field(20, _ATTR_INT)


def node(op_type: str, inputs: list[str], outputs: list[str], attributes: list[bytes] | None = None) -> bytes:
    body = b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs)
    body += field(3, f"{op_type}_{outputs[0]}") + field(4, op_type)
    return body + b"".join(field(5, a) for a in attributes or [])


def value_info(name: str, dims: list[int | str]) -> bytes:
    """A float tensor input or output; a str dimension is symbolic."""
    shape = b"".join(field(1, field(2, d) if isinstance(d, str) else field(1, d)) for d in dims)
    return field(1, name) + field(2, field(1, field(1, FLOAT) + field(2, shape)))


def model(
    nodes: list[bytes],
    initialisers: list[bytes],
    inputs: list[bytes],
    outputs: list[bytes],
    *,
    name: str,
    opset: int = 14,
) -> bytes:
    """A ModelProto (IR version 8) holding one graph."""
    graph = b"".join(field(1, n) for n in nodes) + field(2, name)
    graph += b"".join(field(5, t) for t in initialisers)
    graph += b"".join(field(11, i) for i in inputs) + b"".join(field(12, o) for o in outputs)
    return (
        field(1, 8) + field(2, "consult-scribe") + field(7, graph) + field(8, field(1, "") + field(2, opset))
    )
