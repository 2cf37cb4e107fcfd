"""Scanning a FreePBX recordings folder (ingest/readers/recordings_scan.py)."""

from __future__ import annotations

import struct
import tempfile
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import ReadOptions, ReadResult
from ingest.readers import recordings_scan
from ingest.readers.recordings_scan import parse_name, scan

DAY = "2026/09/01"


def _balanced(result: ReadResult) -> bool:
    return result.lines_read == result.rows.num_rows + len(result.rejects) + result.skipped_lines


def write_wav(path: Path, seconds: float, rate: int = 8000, channels: int = 1, width: int = 2):
    """A PCM WAV written by Python's wave module (RIFF, fmt, data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = round(seconds * rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x00" * frames * channels * width)
    return path


def chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(tag: int, channels: int, rate: int, byte_rate: int, align: int, bits: int) -> bytes:
    return chunk(b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, byte_rate, align, bits))


def insert_before_data(path: Path, extra: bytes) -> None:
    """Put extra chunks (LIST, JUNK, ...) between fmt and data of a wave-module file."""
    raw = path.read_bytes()
    i = raw.index(b"data")
    body = raw[12:i] + extra + raw[i:]
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4) + b"WAVE" + body)


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    root = tmp_path / "monitor"
    d = root / DAY
    # 1. plain mono 8 kHz PCM from the wave module, queue call
    write_wav(d / "q-500-13800138000-20260901-080015-1756687215.123.wav", 1.5)
    # 2. stereo 16 kHz, outbound to a +86 number
    write_wav(
        d / "out-+8613800138000-1001-20260901-081500-1756688100.130.wav",
        2.0,
        rate=16000,
        channels=2,
    )
    # 3. LIST/INFO and an odd-sized JUNK chunk (padded) before data
    p = write_wav(d / "exten-1002-anonymous-20260901-090000-1756688400.140.wav", 0.75)
    info = chunk(b"LIST", b"INFOISFT\x06\x00\x00\x00Lavf\x00\x00")
    insert_before_data(p, info + chunk(b"JUNK", b"abc"))
    # 4. FreePBX wav49: GSM 6.10 in WAV (65-byte blocks of two 20 ms frames: 1625 bytes/s)
    #    with a fact chunk before data; 3 s of audio
    gsm = riff(
        fmt_chunk(0x31, 1, 8000, 1625, 65, 0),
        chunk(b"fact", struct.pack("<I", 640)),
        chunk(b"data", b"\x00" * 1625 * 3),
    )
    (d / "in-95539-13900001111-20260901-100000-1756692000.150.WAV").write_bytes(gsm)
    # 5. mp3 and raw gsm: duration not read
    (d / "rg-600-13700002222-20260901-101010-1756692610.160.mp3").write_bytes(b"ID3" + b"\0" * 50)
    (d / "ondemand-1001-13600003333-20260901-102000-1756693200.170.gsm").write_bytes(b"\0" * 330)
    # 6. truncated WAV: cut in the middle of the data chunk
    p = write_wav(d / "q-500-15900004444-20260901-103000-1756693800.180.wav", 1.0)
    p.write_bytes(p.read_bytes()[:3000])
    # 7. not a WAV although named .wav
    (d / "q-500-15900005555-20260901-104000-1756694400.190.wav").write_bytes(b"<html>oops</html>")
    # 8. a name that does not follow the FreePBX pattern
    write_wav(d / "meeting notes.wav", 0.1)
    # 9. not audio at all: skipped
    (root / "README.txt").write_text("recordings\n")
    # 10. a header Asterisk has not finalised yet (data size 0, audio following)
    (d / "q-500-15900006666-20260901-105000-1756695000.200.wav").write_bytes(
        riff(fmt_chunk(1, 1, 8000, 16000, 2, 16)) + b"data" + struct.pack("<I", 0) + b"\0" * 800
    )
    return root


def test_scan_reads_names_and_headers(recordings: Path) -> None:
    result = scan(recordings)
    assert result.table == recordings_scan.TABLE == "raw_recording_files"
    assert result.rows.schema.equals(recordings_scan.SCHEMA)
    rows = {r["file_path"]: r for r in result.rows.to_pylist()}
    assert len(rows) == 6

    q = rows[f"{DAY}/q-500-13800138000-20260901-080015-1756687215.123.wav"]
    assert (q["recording_type"], q["dst"], q["src"]) == ("q", "500", "13800138000")
    assert q["uniqueid"] == "1756687215.123"
    # 08:00:15 in Asia/Shanghai
    assert q["start_local"] == datetime(2026, 9, 1, 0, 0, 15, tzinfo=UTC)
    assert (q["format"], q["codec"], q["channels"], q["sample_rate"]) == ("wav", "pcm", 1, 8000)
    assert q["duration_s"] == pytest.approx(1.5)
    assert q["size_bytes"] == (recordings / q["file_path"]).stat().st_size
    assert q["byte_offset"] == 0

    out = rows[f"{DAY}/out-+8613800138000-1001-20260901-081500-1756688100.130.wav"]
    assert (out["dst"], out["src"], out["channels"], out["sample_rate"]) == (
        "+8613800138000",
        "1001",
        2,
        16000,
    )
    assert out["duration_s"] == pytest.approx(2.0)

    listed = rows[f"{DAY}/exten-1002-anonymous-20260901-090000-1756688400.140.wav"]
    assert listed["src"] == "anonymous" and listed["duration_s"] == pytest.approx(0.75)

    wav49 = rows[f"{DAY}/in-95539-13900001111-20260901-100000-1756692000.150.WAV"]
    assert (wav49["format"], wav49["codec"]) == ("wav", "gsm")
    assert wav49["duration_s"] == pytest.approx(3.0)

    for name in (
        "rg-600-13700002222-20260901-101010-1756692610.160.mp3",
        "ondemand-1001-13600003333-20260901-102000-1756693200.170.gsm",
    ):
        row = rows[f"{DAY}/{name}"]
        assert row["duration_s"] is None and row["channels"] is None
    assert result.notes["duration not read for .mp3 files"] == 1
    assert result.notes["duration not read for .gsm files"] == 1
    assert result.notes["not audio, skipped: .txt"] == 1


def test_scan_rejects_with_reasons(recordings: Path) -> None:
    result = scan(recordings)
    reasons = {r.raw: r.reason for r in result.rejects}
    assert len(reasons) == 4
    truncated = reasons[f"{DAY}/q-500-15900004444-20260901-103000-1756693800.180.wav"]
    assert truncated.startswith("truncated WAV: data chunk declares 16000 bytes but only")
    not_wav = reasons[f"{DAY}/q-500-15900005555-20260901-104000-1756694400.190.wav"]
    assert not_wav.startswith("not a WAV file (no RIFF header")
    assert "does not follow FreePBX" in reasons[f"{DAY}/meeting notes.wav"]
    pending = reasons[f"{DAY}/q-500-15900006666-20260901-105000-1756695000.200.wav"]
    assert "not finalised" in pending
    assert result.skipped_lines == 1 and result.lines_read == 11
    assert _balanced(result)
    # line numbers are positions in the sorted walk, unique over rows and rejects
    numbers = [r.line_number for r in result.rejects] + result.rows.column(
        "source_line"
    ).to_pylist()
    assert len(set(numbers)) == len(numbers)


def test_scan_uses_the_timezone_and_is_deterministic(recordings: Path) -> None:
    berlin = scan(recordings, options=ReadOptions(timezone="Europe/Berlin"))
    q = next(r for r in berlin.rows.to_pylist() if r["uniqueid"] == "1756687215.123")
    assert q["start_local"] == datetime(2026, 9, 1, 6, 0, 15, tzinfo=UTC)
    assert scan(recordings).rows.equals(scan(recordings).rows)


def test_missing_root_is_empty(tmp_path: Path) -> None:
    result = scan(tmp_path / "nope")
    assert result.rows.num_rows == 0 and result.lines_read == 0
    assert any("not a directory" in k for k in result.notes)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "q-500-13800138000-20260901-080015-1756687215.123.wav",
            ("q", "500", "13800138000", "20260901", "080015", "1756687215.123", "wav"),
        ),
        (
            "in-+862162881234-anonymous-20260901-000000-1.2.WAV",
            ("in", "+862162881234", "anonymous", "20260901", "000000", "1.2", "WAV"),
        ),
        (
            "external-1001--20260901-120000-1756699200.5.gsm",
            ("external", "1001", "", "20260901", "120000", "1756699200.5", "gsm"),
        ),
        # a caller id with a dash stays in src
        (
            "exten-1001-010-6288-20260901-120000-1756699200.5.wav",
            ("exten", "1001", "010-6288", "20260901", "120000", "1756699200.5", "wav"),
        ),
    ],
)
def test_parse_name(name: str, expected: tuple[str, ...]) -> None:
    parts = parse_name(name)
    assert parts is not None
    keys = ("type", "dst", "src", "date", "time", "uniqueid", "ext")
    assert tuple(parts[k] for k in keys) == expected


@pytest.mark.parametrize(
    "name",
    [
        "q-500-13800138000-2026091-080015-1756687215.123.wav",
        "q-500-13800138000-20260901-080015-1756687215.wav",
        "Q-500-1-20260901-080015-1.2.wav",
        "recording.wav",
        "q-500-13800138000-20260901-080015-1756687215.123",
    ],
)
def test_parse_name_rejects(name: str) -> None:
    assert parse_name(name) is None


def test_impossible_date_in_name_is_rejected(tmp_path: Path) -> None:
    write_wav(tmp_path / "q-500-1-20260931-080015-1.2.wav", 0.1)
    result = scan(tmp_path)
    assert result.rejects[0].reason == "invalid date/time 20260931-080015 in name"


@settings(max_examples=60, deadline=None)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=120).map(lambda b: b"RIFF\x00\x00\x00\x00WAVE" + b),
        st.binary(max_size=60).map(lambda b: b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b),
    )
)
def test_random_file_contents_never_raise(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "q-500-1-20260901-080015-1.2.wav").write_bytes(content)
        result = scan(root)
        assert result.rows.num_rows + len(result.rejects) == 1
        assert _balanced(result)
        for row in result.rows.to_pylist():
            assert row["duration_s"] is not None and row["duration_s"] >= 0
