"""A minimal Cap'n Proto writer for workerd's module ``Bundle`` (jsg/modules.capnp).

Only what the bundle needs: one segment, structs, lists of structs, Text and Data.
Layout of ``Module`` as the capnp compiler assigns it (ordinal order, the union's
discriminant allocated when its second member appears):
data section, 1 word:  ``type`` u16 @0, union discriminant u16 @1;
pointer section, 4:    ``name`` 0, union body (src|wasm|data|json) 1,
                       ``tsDeclaration`` 2, ``compileCache`` 3.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: ModuleType enum values.
INTERNAL = 2
#: Union discriminants of Module, in declaration order.
BODY_KINDS = {"src": 0, "wasm": 1, "data": 2, "json": 3}
_MODULE_DATA_WORDS = 1
_MODULE_POINTERS = 4


@dataclass(frozen=True)
class Module:
    name: str
    kind: str  # one of BODY_KINDS
    body: bytes
    type: int = INTERNAL


def _pad(blob: bytes) -> bytes:
    return blob + b"\0" * (-len(blob) % 8)


def _struct_pointer(offset_words: int, data_words: int, pointers: int) -> bytes:
    return struct.pack("<iHH", offset_words << 2, data_words, pointers)


def _list_pointer(offset_words: int, element_size: int, count: int) -> bytes:
    return struct.pack("<iI", (offset_words << 2) | 1, (count << 3) | element_size)


class _Segment:
    """Appends objects to one segment, in words, and patches pointers in place."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def alloc(self, words: int) -> int:
        start = len(self.buf) // 8
        self.buf += b"\0" * (8 * words)
        return start

    def set_pointer(self, at_word: int, target_word: int, make: bytes) -> None:
        self.buf[8 * at_word : 8 * at_word + 8] = make

    def write_bytes(self, pointer_word: int, blob: bytes, *, text: bool) -> None:
        payload = blob + b"\0" if text else blob
        start = len(self.buf) // 8
        self.buf += _pad(payload)
        offset = start - (pointer_word + 1)
        self.set_pointer(pointer_word, start, _list_pointer(offset, 2, len(payload)))


def encode_bundle(modules: list[Module]) -> bytes:
    """The single-segment message ``Bundle { modules @0 :List(Module) }``, unpacked."""
    seg = _Segment()
    root_ptr = seg.alloc(1)
    bundle = seg.alloc(1)  # Bundle: no data, one pointer
    seg.set_pointer(root_ptr, bundle, _struct_pointer(bundle - (root_ptr + 1), 0, 1))

    words_each = _MODULE_DATA_WORDS + _MODULE_POINTERS
    tag = seg.alloc(1)
    first = seg.alloc(words_each * len(modules))
    seg.set_pointer(bundle, tag, _list_pointer(tag - (bundle + 1), 7, words_each * len(modules)))
    # Inline-composite tag word: element count in the offset field, then the struct size.
    seg.buf[8 * tag : 8 * tag + 8] = struct.pack(
        "<iHH", len(modules) << 2, _MODULE_DATA_WORDS, _MODULE_POINTERS
    )
    for index, module in enumerate(modules):
        base = first + index * words_each
        discriminant = BODY_KINDS[module.kind]
        seg.buf[8 * base : 8 * base + 4] = struct.pack("<HH", module.type, discriminant)
        pointers = base + _MODULE_DATA_WORDS
        seg.write_bytes(pointers + 0, module.name.encode(), text=True)
        seg.write_bytes(pointers + 1, module.body, text=module.kind == "json")

    words = len(seg.buf) // 8
    return struct.pack("<II", 0, words) + bytes(seg.buf)
