"""Read txt/md/pdf/docx/html files into :class:`LoadedDocument`; unusable files raise
:class:`UnreadableDocumentError` with a one-sentence message (empty, binary, encrypted, corrupt...)."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import logging
import re
from pathlib import Path
from typing import Any, Callable

import charset_normalizer
import yaml

from rag.ingest.documents import LoadedDocument, PageSpan, UnreadableDocumentError
from rag.ingest.titles import subject_line, title_line
from rag.text.cjk import CJK_TEXT

log = logging.getLogger(__name__)

PDF_PAGE_SEPARATOR = "\n\f\n"
# Candidate CJK encodings tried (strictly) when a file is not UTF-8; a candidate is accepted when at
# least this share of its non-ASCII characters are "common" (GB2312 / Big5 level-1 + symbols).
CJK_ENCODINGS = ("gb18030", "big5")
CJK_COMMON_RATIO = 0.9
BINARY_CONTROL_RATIO = 0.05  # share of control bytes above which data is treated as binary
SNIFF_BYTES = 64 * 1024

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "hz"}
_MULTIBYTE = re.compile(r"(utf|gb|big5|hz|euc|shift|iso2022|johab|cp9[345])")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M | re.S)
_MD_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_CJK_GAP = re.compile(f"(?<=[{CJK_TEXT}])[ \x1f]*\x1f[ \x1f]*(?=[{CJK_TEXT}])")


def _codec_name(name: str) -> str | None:
    """Normalised Python codec name, widening GB2312/GBK to GB18030; None if unknown."""
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if name.replace("-", "_") in _GB_FAMILY else name


def _looks_binary(data: bytes) -> bool:
    sample = data[:SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > BINARY_CONTROL_RATIO * len(sample)


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM, recognised by NUL bytes all on odd (LE) or even (BE) positions."""
    sample = data[:SNIFF_BYTES]
    if len(data) % 2 or sample.count(0) < len(sample) // 8:
        return None
    for encoding, parity in (("utf-16-le", 1), ("utf-16-be", 0)):
        if all(i % 2 == parity for i, b in enumerate(sample) if b == 0):
            text = _strict(data, encoding)
            if text is not None and not _looks_binary(text.encode("utf-8")):
                return text, encoding
    return None


def _is_common(char: str, encoding: str) -> bool:
    """True for punctuation and level-1 (frequent) Hanzi of GB2312, or of Big5 for ``big5``."""
    try:
        code = int.from_bytes(char.encode("big5" if encoding == "big5" else "gb2312"), "big")
    except UnicodeEncodeError:
        return False
    if encoding == "big5":
        return 0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E
    return 0xA1A1 <= code <= 0xA3FE or 0xB0A1 <= code <= 0xD7FE


def _common_ratio(text: str, encoding: str) -> float:
    """Share of the (sampled) non-ASCII characters that are frequent characters of ``encoding``."""
    chars = [c for c in text[:SNIFF_BYTES] if ord(c) > 0x7F]
    return sum(_is_common(c, encoding) for c in chars) / len(chars) if chars else 1.0


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode file bytes, detecting the encoding; returns ``(text, encoding)``.

    Order: BOM, binary check, strict UTF-8, ``hint`` (e.g. an HTML ``<meta charset>``), UTF-8 with a
    few bad bytes, strict GB18030/Big5 judged by how common the decoded characters are, then
    charset-normalizer (which misjudges short Chinese texts, hence the earlier steps).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name.removesuffix("-sig")), name
            except UnicodeDecodeError as exc:
                raise UnreadableDocumentError(f"invalid {name} text after its byte-order mark.") from exc
    if _looks_binary(data):
        if utf16 := _bomless_utf16(data):
            return utf16
        raise UnreadableDocumentError("binary file, not text.")
    if (text := _strict(data, "utf-8")) is not None:
        return text, "utf-8"
    if hint and (enc := _codec_name(hint)) and (text := _strict(data, enc)) is not None:
        return text, enc
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    if bad * 100 <= sum(ord(c) > 0x7F for c in lossy) - bad:
        log.warning("%d invalid UTF-8 sequence(s) replaced with U+FFFD", bad)
        return lossy, "utf-8"
    candidates = {enc: text for enc in CJK_ENCODINGS if (text := _strict(data, enc)) is not None}
    ratios = {enc: _common_ratio(text, enc) for enc, text in candidates.items()}
    best = max(ratios, key=ratios.__getitem__, default=None)  # ties go to GB18030
    if best and ratios[best] >= CJK_COMMON_RATIO:
        return candidates[best], best
    if (guess := _charset_normalizer_guess(data)) is not None:
        enc = _codec_name(guess) or guess
        if enc in candidates or not best or ratios[best] < 0.5:  # a fair strict CJK decode beats a guess
            return candidates.get(enc) or data.decode(enc, errors="replace"), enc
    if best:
        return candidates[best], best
    log.warning("could not detect the encoding; decoding as UTF-8 with replacement characters")
    return lossy, "utf-8"


def _charset_normalizer_guess(data: bytes) -> str | None:
    """charset-normalizer's guess, nudged to cp1252 for mostly-ASCII Western text."""
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    if not _MULTIBYTE.match(best.encoding) and (western := _strict(data, "cp1252")) is not None:
        letters = [c for c in western if c.isalpha()]
        if sum(ord(c) > 0x7F for c in letters) < 0.3 * len(letters):
            return "cp1252"  # mostly-ASCII text with a few accents: Western European beats a near miss
    return best.encoding


def _plain(value: Any) -> Any:
    """Make YAML values JSON-friendly (dates become ISO strings)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def parse_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """Return ``(metadata, body_start)`` for a leading YAML block; ``({}, 0)`` if absent or invalid."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1)) if match.group(1).strip() else {}
    except yaml.YAMLError as exc:
        log.warning("ignoring malformed YAML front matter: %s", exc)
        return {}, 0
    if not isinstance(data, dict):
        log.warning("ignoring front matter that is not a mapping (%s)", type(data).__name__)
        return {}, 0
    meta = _plain(data)
    aliases = {"publisher": ("publisher", "source"), "source_url": ("source_url", "url"), "language": ("language", "lang")}
    for key, names in aliases.items():
        value = next((meta[n] for n in names if meta.get(n) not in (None, "")), None)
        if value is not None:
            meta[key] = str(value)
    for key in ("title", "date"):
        if meta.get(key) in (None, ""):
            meta.pop(key, None)
        else:
            meta[key] = str(meta[key]).strip()
    return meta, match.end()


def load_markdown(path: Path, data: bytes) -> LoadedDocument:
    """Text or Markdown, with optional YAML front matter; offsets index into the whole file."""
    text, encoding = decode_text(data)
    meta, body_start = parse_front_matter(text)
    body = text[body_start:]
    if not body.strip():
        raise UnreadableDocumentError("empty file." if not meta else "empty file: no text after the front matter.")
    if not meta.get("title"):
        heading = _MD_H1.search(body)
        meta["title"] = heading.group(1).strip() if heading else path.stem
        shown = None if heading else title_line(body) or subject_line(body)
        if shown:
            meta["display_title"] = shown  # for people only (rag.ingest.titles)
    return LoadedDocument(path=path, raw_text=text, metadata=meta, body_start=body_start, encoding=encoding)


def _pdf_metadata(reader: Any, path: Path) -> dict[str, Any]:
    """Title (document info, else file stem) and declared ``/Lang``; broken metadata is ignored."""
    meta: dict[str, Any] = {"title": path.stem}
    try:
        if reader.metadata is not None and str(reader.metadata.title or "").strip():
            meta["title"] = str(reader.metadata.title).strip()
        if lang := reader.root_object.get("/Lang"):
            meta["language"] = str(lang.get_object())
    except Exception as exc:  # noqa: BLE001 - metadata is optional
        log.warning("ignoring unreadable PDF metadata in %s: %s", path.name, exc)
    return meta


def load_pdf(path: Path, data: bytes) -> LoadedDocument:
    """Extract each page's text with pypdf; pages are joined with ``PDF_PAGE_SEPARATOR``."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError("encrypted PDF: remove the password protection and upload it again.")
        pages_in = list(reader.pages)
    except UnreadableDocumentError:
        raise
    except DependencyError as exc:
        raise UnreadableDocumentError(f"encrypted PDF that cannot be decrypted here: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many exception types on malformed input
        raise UnreadableDocumentError(f"corrupt PDF: {exc}") from exc
    texts, failures = [], []
    for number, page in enumerate(pages_in, start=1):
        try:
            texts.append((page.extract_text() or "").strip())
        except Exception as exc:  # noqa: BLE001 - one broken page must not lose the rest
            log.warning("cannot extract page %d of %s: %s", number, path.name, exc)
            texts.append("")
            failures.append(exc)
    if not any(texts):
        if failures:
            raise UnreadableDocumentError(f"corrupt PDF: {failures[0]}")
        raise UnreadableDocumentError("no extractable text (scanned/image-only PDF?); run OCR on it first.")
    pages, offset = [], 0
    for number, page_text in enumerate(texts, start=1):
        pages.append(PageSpan(start=offset, number=number))
        offset += len(page_text) + len(PDF_PAGE_SEPARATOR)
    return LoadedDocument(
        path=path, raw_text=PDF_PAGE_SEPARATOR.join(texts), metadata=_pdf_metadata(reader, path), pages=pages
    )


def _docx_lines(doc: Any) -> list[str]:
    from docx.table import Table

    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                if any(cells):
                    lines.append(" | ".join(cells))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = block.style.name if block.style is not None else ""
        level = 1 if style == "Title" else int(m.group(1)) if (m := _HEADING_STYLE.match(style or "")) else 0
        lines.append(f"{'#' * level} {text}" if level else text)
    return lines


def load_docx(path: Path, data: bytes) -> LoadedDocument:
    """Paragraphs (and table rows) one per line; heading styles become Markdown ``#`` headings."""
    try:
        import docx

        doc = docx.Document(io.BytesIO(data))
        lines = _docx_lines(doc)
        props = doc.core_properties
    except Exception as exc:  # zipfile/lxml/python-docx errors on malformed input
        raise UnreadableDocumentError(f"corrupt DOCX: {exc}") from exc
    if not lines:
        raise UnreadableDocumentError("empty file: the DOCX contains no text.")
    first_heading = next((line.lstrip("#").strip() for line in lines if line.startswith("#")), "")
    meta: dict[str, Any] = {"title": (props.title or "").strip() or first_heading or path.stem}
    if props.language:
        meta["language"] = props.language
    return LoadedDocument(path=path, raw_text="\n".join(lines), metadata=meta)


_HTML_DROP = ("script", "style", "nav", "footer", "noscript", "template", "svg", "iframe")
_HTML_SPACE = re.compile(r"[ \t\r\n\f\v\xa0]+")
_HTML_BLOCKS = ("p", "div", "li", "br", "tr", "td", "th", "section", "article", "blockquote", "pre", "dt", "dd", "table")


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """Visible text of an HTML page with ``#`` headings, plus declared title/language."""
    from bs4 import BeautifulSoup, NavigableString

    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # pragma: no cover - lxml missing
        soup = BeautifulSoup(html, "html.parser")
    meta: dict[str, Any] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = soup.title.get_text(" ", strip=True)
    if soup.html is not None and soup.html.get("lang"):
        meta["language"] = str(soup.html["lang"])
    for tag in soup(_HTML_DROP):
        tag.decompose()
    for node in soup.find_all(string=True):  # source line breaks are spaces, except inside <pre>
        if type(node) is NavigableString and node.find_parent("pre") is None:
            node.replace_with(_HTML_SPACE.sub(lambda m: "\x1f" if "\n" in m.group() else " ", node))
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        text = " ".join(heading.get_text(" ").split())
        if heading.name == "h1" and text:
            meta.setdefault("title", text)
        heading.replace_with(NavigableString(f"\n{'#' * int(heading.name[1])} {text}\n" if text else "\n"))
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n- " if tag.name == "li" else "\n")
        tag.insert_after("\n")
    root = soup.body or soup
    # a wrapped source line between two CJK characters (marked \x1f above) joins without a space
    lines = (_CJK_GAP.sub("", line).replace("\x1f", " ") for line in root.get_text().split("\n"))
    lines = (_HTML_SPACE.sub(" ", line).strip() for line in lines)
    text = "\n".join(line for line in lines if line and line != "-")
    return text, meta


def load_html(path: Path, data: bytes) -> LoadedDocument:
    """HTML page: decoded (honouring ``<meta charset>``) and reduced to visible text."""
    declared = _META_CHARSET.search(data[:4096])
    text, encoding = decode_text(data, hint=declared.group(1).decode("ascii") if declared else None)
    body, meta = html_to_text(text)
    if not body.strip():
        raise UnreadableDocumentError("empty file: the HTML page has no visible text.")
    meta.setdefault("title", path.stem)
    return LoadedDocument(path=path, raw_text=body, metadata=meta, encoding=encoding)


LOADERS: dict[str, Callable[[Path, bytes], LoadedDocument]] = {
    ".txt": load_markdown, ".md": load_markdown, ".markdown": load_markdown,
    ".pdf": load_pdf, ".docx": load_docx, ".html": load_html, ".htm": load_html,
}


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` bytes, raising if the file is larger or empty."""
    limit_mb = max_bytes / (1024 * 1024)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableDocumentError(f"cannot read file: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise UnreadableDocumentError(f"file too large: larger than the {limit_mb:g} MB limit ({max_bytes} bytes).")
    if not data.strip():
        raise UnreadableDocumentError("empty file.")
    return data


def load_document(path: Path, max_bytes: int | None = None) -> LoadedDocument:
    """Load ``path`` by suffix; ``max_bytes`` defaults to ``settings.max_file_mb``."""
    path = Path(path)
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise UnreadableDocumentError(
            f"unsupported file type {suffix or '(none)'}: use one of {', '.join(sorted(LOADERS))}."
        )
    if max_bytes is None:
        from rag.settings import get_settings

        max_bytes = int(get_settings().max_file_mb * 1024 * 1024)
    doc = loader(path, read_limited(path, max_bytes))
    log.debug("loaded %s: %d chars, %d pages, encoding %s", path.name, len(doc.raw_text), len(doc.pages), doc.encoding)
    return doc
