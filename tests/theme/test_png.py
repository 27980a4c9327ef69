"""The cover's PNG writer: what Pillow decodes is exactly the pixels given."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from ficbook.theme.png import png4

PALETTE = bytes(range(48))


def decoded(data: bytes) -> Image.Image:
    Image.open(io.BytesIO(data)).verify()  # chunk checksums
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("seed", range(8))
def test_runs_of_repeated_rows_and_new_rows_decode_to_the_same_pixels(seed: int) -> None:
    rng = random.Random(seed)
    width, height = rng.choice([(1600, 2560), (7, 5), (64, 300), (1, 1)])
    stride = (width + 1) // 2
    rows: list[bytes] = []
    while len(rows) < height:  # runs of one row repeated, of every length, and noise
        row = bytes(rng.choice([0, 0, 0, rng.randrange(256)]) for _ in range(stride))
        if width % 2:
            row = row[:-1] + bytes([row[-1] & 0xF0])  # the last byte's low pixel is padding
        rows += [row] * rng.choice([1, 1, 2, 3, 17, 64, 255, 1000])
    packed = b"".join(rows[:height])
    image = decoded(png4(packed, width, height, PALETTE))
    assert (image.mode, image.size) == ("P", (width, height))
    assert image.tobytes("raw", "P;4") == packed
    assert png4(packed, width, height, PALETTE) == png4(packed, width, height, PALETTE)


def test_a_flat_picture_is_small_and_wrong_sizes_are_refused() -> None:
    flat = bytes(800 * 2560)
    data = png4(flat, 1600, 2560, PALETTE)
    assert decoded(data).getcolors() == [(1600 * 2560, 0)] and len(data) < 20_000
    with pytest.raises(ValueError):
        png4(flat[:-1], 1600, 2560, PALETTE)


def test_a_kept_runs_checksum_joins_the_stream_as_if_summed_byte_by_byte() -> None:
    import random
    import zlib

    from ficbook.theme.png import _adler_after

    rng = random.Random(11)
    for _ in range(3000):
        before = rng.randbytes(rng.randint(0, 400))
        run = bytes(rng.randint(0, 140_000)) if rng.random() < 0.5 else rng.randbytes(300)
        assert _adler_after(zlib.adler32(before), zlib.adler32(run), len(run)) == \
            zlib.adler32(before + run)
