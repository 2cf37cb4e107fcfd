"""A FreePBX call-recordings folder scanned into ``raw_recording_files``.

Not a bytes reader: :func:`scan` walks ``root`` (FreePBX keeps ``YYYY/MM/DD/<file>``
under ``/var/spool/asterisk/monitor``), parses each audio file's name and reads its
header. FreePBX names recordings

    <type>-<dst>-<src>-<YYYYMMDD>-<HHMMSS>-<uniqueid>.<ext>
    q-500-13800138000-20260901-080015-1756687215.123.wav

``type`` is the call type (``in``, ``out``, ``q`` queue, ``exten``, ``external``,
``ondemand``, ``rg`` ring group, ``conf`` ...; others kept, noted), ``dst``/``src`` the
dialled and calling numbers (may hold ``+``, be ``anonymous`` or be empty), the date and
time the PBX's local wall time (``options.timezone``) and ``uniqueid`` the Asterisk
channel uniqueid (= queue_log call id / CDR uniqueid).

WAV files (RIFF/WAVE; also FreePBX's ``.WAV`` = GSM 6.10 in WAV) get channels, sample
rate, codec and ``duration_s = data chunk bytes / byte rate`` from the header; chunks
such as LIST, fact or JUNK before ``data`` are skipped. A truncated WAV (data chunk
larger than the file: cut copy, or Asterisk still recording) or a ``.wav`` that is not
RIFF/WAVE is rejected. ``.mp3``, ``.gsm`` and other formats keep a null duration (noted).
Files that are not audio (by extension) are skipped and noted. An audio file whose name
does not follow the FreePBX pattern is rejected.

Rows: ``source_line`` is the file's 1-based position in the sorted walk and
``byte_offset`` is 0; a reject's ``raw`` is the relative path. Natural key:
(file_path, size_bytes), so a file that grew (re-recorded, still being written) is a new
row.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.contract import ReadOptions, ReadResult, Reject
from ingest.readers.exports import TIMESTAMP, BadValue, local_micros

TABLE = "raw_recording_files"
SCHEMA = pa.schema(
    [
        pa.field("file_path", pa.string(), nullable=False),
        pa.field("recording_type", pa.string()),
        pa.field("dst", pa.string()),
        pa.field("src", pa.string()),
        pa.field("start_local", TIMESTAMP),
        pa.field("uniqueid", pa.string()),
        pa.field("format", pa.string()),
        pa.field("codec", pa.string()),
        pa.field("size_bytes", pa.int64(), nullable=False),
        pa.field("duration_s", pa.float64()),
        pa.field("channels", pa.int64()),
        pa.field("sample_rate", pa.int64()),
        pa.field("source_line", pa.int64()),
        pa.field("byte_offset", pa.int64()),
    ]
)
NATURAL_KEY: tuple[str, ...] = ("file_path", "size_bytes")

RECORDING_TYPES = ("in", "out", "q", "exten", "external", "ondemand", "rg", "conf", "force")
AUDIO_EXTENSIONS = frozenset(
    {"wav", "wav49", "gsm", "mp3", "ogg", "opus", "sln", "sln16", "ulaw", "alaw", "g722", "g729"}
)

NAME_RE = re.compile(
    r"(?P<type>[a-z]+)-(?P<dst>[^-]*)-(?P<src>.*)-(?P<date>\d{8})-(?P<time>\d{6})"
    r"-(?P<uniqueid>\d+\.\d+)\.(?P<ext>[A-Za-z0-9]+)"
)

# WAVE format tags (RFC 2361) -> codec name
CODECS = {
    0x0001: "pcm",
    0x0003: "float",
    0x0006: "alaw",
    0x0007: "mulaw",
    0x0031: "gsm",
    0x0011: "ima_adpcm",
    0x0002: "ms_adpcm",
    0x0055: "mp3",
    0xFFFE: "extensible",
}

HEADER_SCAN_LIMIT = 16  # chunks looked at before giving up on finding fmt/data


class _Bad(ValueError):
    pass


def parse_name(name: str) -> dict[str, str] | None:
    """The parts of a FreePBX recording file name, or None if it does not match."""
    m = NAME_RE.fullmatch(name)
    return m.groupdict() if m else None


def wav_info(path: Path, size: int) -> dict[str, Any]:
    """channels, sample_rate, codec and duration_s from a WAV header. Raises _Bad."""
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12:
            raise _Bad(f"not a WAV file: only {len(head)} bytes")
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            kind = "RIFF but not WAVE" if head[:4] == b"RIFF" else "no RIFF header"
            raise _Bad(f"not a WAV file ({kind}; first bytes {head[:4]!r})")
        fmt: tuple[int, int, int, int] | None = None  # tag, channels, rate, byte rate
        data: tuple[int, int] | None = None  # body offset, declared size
        pos = 12
        for _ in range(HEADER_SCAN_LIMIT):
            f.seek(pos)
            chunk = f.read(8)
            if len(chunk) < 8:
                break
            cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                raw = f.read(min(csize, 40))
                if len(raw) < 16:
                    raise _Bad("truncated WAV: fmt chunk shorter than 16 bytes")
                fmt = struct.unpack("<HHII", raw[:12])
            elif cid == b"data" and data is None:
                data = (pos + 8, csize)
            if fmt is not None and data is not None:
                break
            pos += 8 + csize + (csize & 1)  # chunks are word aligned
    if fmt is None:
        raise _Bad("truncated or malformed WAV: no fmt chunk")
    if data is None:
        raise _Bad("truncated or malformed WAV: no data chunk")
    tag, channels, rate, byte_rate = fmt
    data_start, data_size = data
    available = size - data_start
    if data_size in (0, 0xFFFFFFFF) and available > 0:
        # Header never finalised (Asterisk still recording, or a streaming writer).
        raise _Bad(
            f"WAV header not finalised (data size {data_size:#x}, {available} bytes follow): "
            "still being recorded? scan again later"
        )
    if data_size > available:
        raise _Bad(
            f"truncated WAV: data chunk declares {data_size} bytes but only {max(available, 0)} "
            "are in the file (cut copy, or still being recorded)"
        )
    if byte_rate <= 0 or channels <= 0 or rate <= 0:
        raise _Bad(
            f"malformed WAV fmt chunk (channels {channels}, rate {rate}, byte rate {byte_rate})"
        )
    return {
        "channels": channels,
        "sample_rate": rate,
        "codec": CODECS.get(tag, f"0x{tag:04x}"),
        "duration_s": round(data_size / byte_rate, 6),
    }


def _walk(root: Path) -> list[str]:
    """Every regular file under root, as sorted POSIX paths relative to root."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root)
        for name in filenames:
            out.append((rel_dir / name).as_posix())
    out.sort()
    return out


def scan(
    root: Path,
    *,
    options: ReadOptions = ReadOptions(),  # noqa: B008
    files: list[str] | None = None,
    skip: Callable[[str, int], bool] | None = None,
) -> ReadResult:
    """Walk ``root`` and return one row per recording file (see the module docstring).

    ``files`` limits the scan to these paths relative to ``root`` (default: every file
    under it). ``skip(relative_path, size_bytes)`` true means the file is known already
    (the loader passes the files it loaded with that size): it is counted as skipped and
    its header is not read.
    """
    root = Path(root)
    notes: dict[str, int] = {}
    rejects: list[Reject] = []
    cols: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    skipped = 0

    def note(key: str) -> None:
        notes[key] = notes.get(key, 0) + 1

    if files is None:
        files = _walk(root) if root.is_dir() else []
    files = sorted(files)
    if not root.is_dir():
        note(f"recordings root {root} is not a directory")
    for index, rel in enumerate(files, start=1):
        path = root / rel
        name = path.name
        ext = name.rsplit(".", 1)[-1] if "." in name else ""
        if ext.lower() not in AUDIO_EXTENSIONS:
            skipped += 1
            note(f"not audio, skipped: .{ext}" if ext else "not audio, skipped: no extension")
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            rejects.append(Reject(index, 0, rel, f"cannot stat file: {exc.strerror}"))
            continue
        if skip is not None and skip(rel, size):
            skipped += 1
            note("already loaded with this size, skipped")
            continue
        parts = parse_name(name)
        if parts is None:
            rejects.append(
                Reject(
                    index,
                    0,
                    rel,
                    "file name does not follow FreePBX's "
                    "<type>-<dst>-<src>-<YYYYMMDD>-<HHMMSS>-<uniqueid>.<ext>",
                )
            )
            continue
        try:
            naive = datetime.strptime(parts["date"] + parts["time"], "%Y%m%d%H%M%S")
        except ValueError:
            rejects.append(
                Reject(index, 0, rel, f"invalid date/time {parts['date']}-{parts['time']} in name")
            )
            continue
        try:
            start_us, dst_note = local_micros(naive, options.timezone)
        except BadValue as exc:
            rejects.append(Reject(index, 0, rel, str(exc)))
            continue
        if dst_note:
            note(f"start_local: {dst_note}")
        info: dict[str, Any] = {
            "channels": None,
            "sample_rate": None,
            "codec": None,
            "duration_s": None,
        }
        fmt = ext.lower()
        if fmt in ("wav", "wav49"):
            try:
                info = wav_info(path, size)
            except _Bad as exc:
                rejects.append(Reject(index, 0, rel, str(exc)))
                continue
            except OSError as exc:
                rejects.append(Reject(index, 0, rel, f"cannot read file: {exc.strerror}"))
                continue
        else:
            note(f"duration not read for .{fmt} files")
        rtype = parts["type"]
        if rtype not in RECORDING_TYPES:
            note(f"recording_type: unlisted value {rtype!r}")
        row = {
            "file_path": rel,
            "recording_type": rtype,
            "dst": parts["dst"] or None,
            "src": parts["src"] or None,
            "start_local": start_us,
            "uniqueid": parts["uniqueid"],
            "format": fmt,
            "size_bytes": size,
            **info,
            "source_line": index,
            "byte_offset": 0,
        }
        for key, value in row.items():
            cols[key].append(value)
    table = pa.Table.from_arrays([pa.array(cols[f.name], f.type) for f in SCHEMA], schema=SCHEMA)
    return ReadResult(
        table=TABLE,
        rows=table,
        rejects=rejects,
        consumed_bytes=0,
        lines_read=len(files),
        skipped_lines=skipped,
        notes=notes,
    )
