"""The task functions the Python farms run, shared by mpi4py_farm.py and dask_farm.py.

echo: the empty task, 16 bytes in and 16 bytes out, with the check value jobs/empty uses.
band: escape times of full-width Mandelbrot rows, the formula of jobs/mandel/mandel_kernel.cpp
in numpy. numpy evaluates each operation on its own (no fused multiply-add), in the same order
as the C++ code, so the result has the same bits as the C++ kernel built with -ffp-contract=off.
"""
import struct

import numpy as np

PAIR = struct.Struct("<QQ")
MASK = (1 << 64) - 1


def check_value(index):
    return (index * 0x9E3779B97F4A7C15 + 1) & MASK


def echo(task):
    """One empty task: (index, 0) in, (index, check) out, 16 bytes each way."""
    index, _ = PAIR.unpack(task)
    return PAIR.pack(index, check_value(index))


def empty_tasks(count):
    return [PAIR.pack(i, 0) for i in range(count)]


def verify_echoes(results, count):
    seen = bytearray(count)
    for result in results:
        index, check = PAIR.unpack(result)
        if index >= count or check != check_value(index) or seen[index]:
            raise SystemExit(f"wrong or duplicate result for task {index}")
        seen[index] = 1
    if sum(seen) != count:
        raise SystemExit("results missing")


def band(y0, rows, width, height, max_iter, re_min=-2.0, re_max=1.0, im_min=-1.5, im_max=1.5):
    """Escape times of rows [y0, y0 + rows) as a (rows, width) uint32 array."""
    xs = np.arange(width, dtype=np.float64)
    ys = np.arange(y0, y0 + rows, dtype=np.float64)
    # Same order as the C++: re_min + ((x * (re_max - re_min)) / width)
    cr = np.tile(re_min + xs * (re_max - re_min) / float(width), rows)
    ci = np.repeat(im_min + ys * (im_max - im_min) / float(height), width)
    out = np.full(rows * width, max_iter, dtype=np.uint32)
    live = np.arange(rows * width)
    zr = np.zeros_like(cr)
    zi = np.zeros_like(ci)
    for n in range(max_iter):
        next_zr = zr * zr - zi * zi + cr
        zi = 2.0 * zr * zi + ci
        zr = next_zr
        escaped = zr * zr + zi * zi > 4.0
        if escaped.any():
            out[live[escaped]] = n
            keep = ~escaped
            live, zr, zi, cr, ci = live[keep], zr[keep], zi[keep], cr[keep], ci[keep]
            if live.size == 0:
                break
    return out.reshape(rows, width)


def band_task(args):
    """band() for one (y0, rows, width, height, max_iter) tuple; returns (y0, pixels)."""
    y0 = args[0]
    return y0, band(*args)


def band_tasks(width, height, max_iter, rows):
    return [(y, min(rows, height - y), width, height, max_iter) for y in range(0, height, rows)]
