"""One set of fonts in a PDF joined from parts.

weasyprint subsets every font per document (keeping glyph ids: HarfBuzz's RETAIN_GIDS), so a
book joined from N parts carries N subsets of each font. Here each worker process saves the
original font file of every font it embeds (once, by its PDF name: weasyprint names a font after
its description, the same in every process); after joining, every font program of the same name
is replaced by ONE subset of the original holding the union of the glyphs the parts use (their
/W width arrays list them). Content streams and per-part font dictionaries (widths, ToUnicode)
stay as they are: glyph ids are the original ones everywhere. Imports weasyprint.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import DecodedStreamObject, NameObject, NumberObject

from ....cache.pdf import font_file
from ....files import atomic_write
from . import internals

log = logging.getLogger(__name__)

_recording: list[Path | None] = []  # the folder this process saves original fonts to
_used: set[str] = set()  # fonts (by PDF name) embedded since record_originals was last called


def record_originals(folder: Path) -> None:
    """In a worker process: save each font's original file before weasyprint subsets it."""
    if not _recording:
        real = internals.current(internals.FONT_CLEAN)

        def clean(self: Any, to_unicode: Any, hinting: Any) -> Any:
            folder = _recording[0]
            target = font_file(folder, internals.font_name(self)) if folder else None
            if target and internals.font_index(self) == 0:
                _used.add(internals.font_name(self))
            if target and internals.font_index(self) == 0 and not target.exists():
                # Two workers may save the same font: each writes it whole.
                atomic_write(target, internals.font_data(self), mode=None)
            return real(self, to_unicode, hinting)

        # For good in this process: every later layout here records too.
        internals.replace(internals.FONT_CLEAN, clean)
        _recording.append(folder)
    _recording[0] = folder
    _used.clear()


def used_fonts() -> tuple[str, ...]:
    """The fonts whose originals were saved for the current job (its PDF embeds them)."""
    return tuple(sorted(_used))


def stop_recording() -> None:
    if _recording:
        _recording[0] = None


def share_fonts(writer: pypdf.PdfWriter, folder: Path) -> int:
    """Give every font of the same name one font program; returns how many were dropped."""
    groups: dict[str, list[tuple[Any, str, Any]]] = {}  # name -> (descriptor, key, CID font)
    seen: set[int] = set()

    def visit(resources: Any, depth: int = 0) -> None:
        if resources is None or depth > 3:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            if getattr(ref, "idnum", None) in seen:
                continue
            seen.add(getattr(ref, "idnum", -1))
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            cid = font["/DescendantFonts"][0].get_object()
            desc = cid.get("/FontDescriptor")
            if desc is None:
                continue
            desc = desc.get_object()
            key = next((k for k in ("/FontFile3", "/FontFile2") if k in desc), None)
            if key is None or "/W" not in cid:
                continue
            groups.setdefault(str(font["/BaseFont"]), []).append((desc, key, cid))
        for xobject in (resources.get("/XObject") or {}).values():
            obj = xobject.get_object()
            if obj.get("/Subtype") == "/Form" and "/Resources" in obj:
                visit(obj["/Resources"], depth + 1)

    for page in writer.pages:
        visit(page.get("/Resources"))
    dropped = 0
    for name, users in groups.items():
        programs = {desc.raw_get(key).idnum for desc, key, _ in users}
        original = font_file(folder, name)
        if len(programs) < 2 or not original.exists():
            continue
        gids = {0}
        for _, _, cid in users:
            gids |= _glyphs(cid["/W"])
        data = _subset(original.read_bytes(), sorted(gids))
        if data is None:
            continue
        first_desc, key, _ = users[0]
        stream = DecodedStreamObject()
        stream.set_data(data)
        old = first_desc[key].get_object()
        if "/Subtype" in old:
            stream[NameObject("/Subtype")] = old["/Subtype"]
        if key == "/FontFile2":
            stream[NameObject("/Length1")] = NumberObject(len(data))
        ref = internals.add_object(writer, stream.flate_encode())
        for idnum in programs:
            internals.drop_object(writer, idnum)  # no font refers to it any more
        for desc, key, _ in users:
            desc[NameObject(key)] = ref
        dropped += len(programs) - 1
    return dropped


def _glyphs(widths: Any) -> set[int]:
    """Glyph ids in a /W array: `c [w1 w2 ...]` or `c_first c_last w`."""
    out: set[int] = set()
    items = list(widths.get_object())
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1].get_object()
        if isinstance(nxt, list):
            out.update(range(first, first + len(nxt)))
            i += 2
        else:
            out.update(range(first, int(nxt) + 1))
            i += 3
    return out


def _subset(data: bytes, gids: list[int]) -> bytes | None:
    """The font cut to these glyphs, ids kept, as weasyprint cuts it (HarfBuzz; fontTools if
    HarfBuzz's subsetter is missing)."""
    try:
        ffi, harfbuzz, harfbuzz_subset, get_hb_object_data = internals.harfbuzz()
        if harfbuzz_subset is None:
            raise OSError("no libharfbuzz-subset")
        create = internals.hb_face_create(ffi, harfbuzz)
        buf = ffi.new("char[]", data)
        blob = ffi.gc(harfbuzz.hb_blob_create(buf, len(data), 1, ffi.NULL, ffi.NULL),
                      harfbuzz.hb_blob_destroy)
        face = ffi.gc(create(blob, 0), harfbuzz.hb_face_destroy)
        request = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                         harfbuzz_subset.hb_subset_input_destroy)
        wanted = harfbuzz_subset.hb_subset_input_glyph_set(request)
        array = ffi.new(f"hb_codepoint_t[{len(gids)}]", gids)
        harfbuzz.hb_set_add_sorted_array(wanted, array, len(gids))
        harfbuzz_subset.hb_subset_input_set_flags(
            request, harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
            | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
            | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
            | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
            | harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
        drop = harfbuzz_subset.hb_subset_input_set(
            request, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
        tags = [harfbuzz.hb_tag_from_string(t, -1) for t in (
            b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
            b"PCLT", b"SVG ")]
        harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]",
                                                       sorted(tags)), len(tags))
        out = harfbuzz_subset.hb_subset_or_fail(face, request)
        if out == ffi.NULL:
            return None
        result: bytes = get_hb_object_data(ffi.gc(out, harfbuzz.hb_face_destroy))
        return result or None
    except (OSError, AttributeError, ImportError) as exc:
        log.debug("PDF: HarfBuzz subsetting unavailable (%s); fontTools instead", exc)
    try:
        from io import BytesIO

        from fontTools import subset  # type: ignore[import-untyped]
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        options = subset.Options()
        options.retain_gids = options.desubroutinize = options.notdef_outline = True
        options.hinting = False
        options.drop_tables += ["BASE", "DSIG", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG "]
        font = TTFont(BytesIO(data))
        cutter = subset.Subsetter(options)
        cutter.populate(gids=gids)
        cutter.subset(font)
        out = BytesIO()
        font.save(out)
        return out.getvalue()
    except Exception as exc:  # a font fontTools cannot cut keeps its per-part subsets
        log.warning("PDF: could not merge the parts' subsets of a font (%s)", exc)
        return None
