"""rag.app.corpus_folder.discard_upload_copies: the web server's copies of uploads go once read; nothing
outside its upload folder is touched."""

from __future__ import annotations

from pathlib import Path

from rag.app.corpus_folder import discard_upload_copies


def test_uploaded_copies_are_deleted_and_nothing_outside_the_upload_folder(tmp_path: Path) -> None:
    uploads = tmp_path / "gradio"
    (uploads / "abc123").mkdir(parents=True)
    copy = uploads / "abc123" / "report.txt"
    copy.write_text("uploaded", encoding="utf-8")
    library = tmp_path / "corpus"
    library.mkdir()
    kept = library / "report.txt"  # the library's own file, same name: never touched
    kept.write_text("uploaded", encoding="utf-8")
    sneaky = uploads / ".." / "corpus" / "report.txt"  # resolves outside the upload folder
    assert discard_upload_copies([str(copy), str(kept), str(sneaky), str(uploads / "gone.txt")], uploads) == 1
    assert not copy.exists()
    assert kept.exists() and kept.read_text(encoding="utf-8") == "uploaded"
    assert discard_upload_copies([str(uploads)], uploads) == 0 and uploads.is_dir()  # never the folder itself
