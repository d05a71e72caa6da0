"""Hostile catalogue files: how long ``tremplin catalog validate`` takes to refuse each, and how
long its report is (issue 14, items 1, 4 and 5; results in benchmarks/README.md, "Hostile files").

    python -m benchmarks.hostile_bench

Each file is made here, in a temporary folder; each command runs in a subprocess, interpreter
start included, as a maintainer would run it.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
HEADER = b"id,title,provider,missions\n"


def _gap_workbook(row: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "title", "provider", "missions"])
    sheet.append(["a-1", "Atelier", "Centre", "digital"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode().replace('<row r="2"', f'<row r="{row}"')
                content = re.sub(r'r="([A-D])2"', rf'r="\g<1>{row}"', text).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def _lheo(fin: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><lheo xmlns="http://lheo.gouv.fr/2.3"><offres>'
        '<formation numero="F1"><intitule-formation>Atelier</intitule-formation>'
        f'<action numero="A1"><session numero="S1"><periode><fin>{fin}</fin></periode></session>'
        "</action><organisme-formation-responsable><nom-organisme>GRETA</nom-organisme>"
        "</organisme-formation-responsable></formation></offres></lheo>"
    ).encode()


FILES = {
    "one-cell-rows.csv (10 MB, 5.2 million bad rows)": (
        "csv",
        lambda: HEADER + b"x\n" * ((10 * 2**20 - len(HEADER)) // 2),
    ),
    "columns.csv (300,000 column names)": (
        "csv",
        lambda: ",".join(f"c{n}" for n in range(300_000)).encode() + b"\n",
    ),
    "fields.json (one offer of 300,000 fields)": (
        "json",
        lambda: ("[{" + ",".join(f'"c{n}": 1' for n in range(300_000)) + "}]").encode(),
    ),
    "gap.xlsx (one data row numbered 10^12)": ("xlsx", lambda: _gap_workbook(10**12)),
    "bad-date.xml (LHEO <fin>99991300</fin>)": ("xml", lambda: _lheo("99991300")),
}


def main() -> None:
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        for name, (suffix, make) in FILES.items():
            path = Path(folder) / f"file.{suffix}"
            data = make()
            path.write_bytes(data)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bot.cli.main", "catalog", "validate", str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            seconds = time.perf_counter() - started
            lines = done.stderr.splitlines()
            print(
                f"  {name:<50} {len(data) / 2**20:6.2f} MB  exit {done.returncode}"
                f"  {seconds:6.2f} s  {len(lines):4d} lines, {len(done.stderr) / 1024:6.1f} KiB"
            )
            print(f"    last line: {lines[-1] if lines else ''}")


if __name__ == "__main__":
    main()
