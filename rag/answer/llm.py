"""Chat models for generation: answering, query translation, follow-up rewriting, claims.

Two back ends behind one small protocol (:class:`ChatModel`):

* :class:`OpenAICompatibleModel` – any OpenAI-compatible ``/v1/chat/completions`` endpoint (Ollama,
  vLLM, llama-cpp server, DeepSeek, Qwen/DashScope, OpenAI) through llama-index's ``OpenAILike``;
* :class:`LlamaCppModel` – a local GGUF file run in-process by llama-cpp-python (optional extra).

Usage::

    model = make_chat_model(settings)          # None when no LLM is configured
    if model is not None:
        messages = build_answer_messages(settings, question, "zh", [(1, title, text), ...])
        answer = model.complete(messages)
        cited = parse_citations(answer)

Prompts are built and model output is parsed in :mod:`rag.answer.prompting`.
API keys are never logged: only the model name and the endpoint (with any credentials removed).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from rag.settings import Settings

from rag.answer.prompting import (
    Message,
    build_rewrite_messages,
    build_translate_messages,
    clean_single_line_output,
)

logger = logging.getLogger(__name__)

LOCAL_LLM_HINT = "pip install '.[local-llm]'"
DEFAULT_MAX_RETRIES = 1



class LLMError(RuntimeError):
    """A chat model could not produce a reply (connection, HTTP status, bad response)."""


class LLMUnavailableError(LLMError):
    """The configured back end cannot be loaded (missing package or model file)."""


@runtime_checkable
class ChatModel(Protocol):
    """What the pipeline needs from a chat LLM: whole replies and streamed text deltas."""

    name: str

    def complete(self, messages: list[Message]) -> str:
        """Return the assistant reply to OpenAI-style ``{"role", "content"}`` messages."""
        ...

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Yield the assistant reply as text deltas (their concatenation is the reply)."""
        ...


# --------------------------------------------------------------------------------------------
# Secrets and errors
# --------------------------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without user info or query string, fit for logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _redact(message: str, secret: str | None) -> str:
    """Remove ``secret`` (an API key) from an error message."""
    if secret and len(secret) >= 4:
        message = message.replace(secret, "***")
    return message


def _wrap_error(model_name: str, exc: Exception, secret: str | None) -> LLMError:
    """An :class:`LLMError` describing ``exc`` without leaking ``secret``."""
    detail = _redact(f"{type(exc).__name__}: {exc}", secret)
    return LLMError(f"{model_name}: request failed: {detail}")


def _role(value: str) -> Any:
    """The llama-index ``MessageRole`` for an OpenAI role string."""
    from llama_index.core.llms import MessageRole

    try:
        return MessageRole(value)
    except ValueError as exc:
        raise ValueError(f"unknown chat role {value!r}") from exc


def to_chat_messages(messages: Sequence[Message]) -> list[Any]:
    """OpenAI-style dicts → llama-index ``ChatMessage`` objects."""
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role=_role(m["role"]), content=m["content"]) for m in messages]


# --------------------------------------------------------------------------------------------
# Back ends
# --------------------------------------------------------------------------------------------


class OpenAICompatibleModel:
    """A chat model behind an OpenAI-compatible HTTP endpoint (llama-index ``OpenAILike``).

    Works with Ollama (``http://localhost:11434/v1``), vLLM, ``python -m llama_cpp.server``,
    DeepSeek, Qwen (DashScope compatible mode) and OpenAI itself.
    """

    def __init__(self, settings: Settings, *, max_retries: int | None = None) -> None:
        from llama_index.llms.openai_like import OpenAILike

        if not settings.llm_base_url:
            raise ValueError("OpenAICompatibleModel needs settings.llm_base_url")
        retries = max_retries if max_retries is not None else _max_retries(settings)
        self._api_key = settings.llm_api_key.get_secret_value()
        self.name = f"openai-compatible:{settings.llm_model}"
        self.base_url = settings.llm_base_url
        self._llm = OpenAILike(
            api_base=settings.llm_base_url,
            model=settings.llm_model,
            api_key=self._api_key,
            is_chat_model=True,
            timeout=settings.llm_timeout_s,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            context_window=settings.llm_context_window,
            max_retries=retries,
        )
        logger.info("chat model %s at %s", self.name, safe_url(self.base_url))

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel(name={self.name!r}, base_url={safe_url(self.base_url)!r})"

    def complete(self, messages: list[Message]) -> str:
        """Return the whole reply; raises :class:`LLMError` on any failure."""
        try:
            response = self._llm.chat(to_chat_messages(messages))
        except Exception as exc:  # noqa: BLE001 - every client error becomes an LLMError
            raise _wrap_error(self.name, exc, self._api_key) from None
        return response.message.content or ""

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Yield text deltas as they arrive; raises :class:`LLMError` on any failure."""
        try:
            for chunk in self._llm.stream_chat(to_chat_messages(messages)):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:  # noqa: BLE001
            raise _wrap_error(self.name, exc, self._api_key) from None


class LlamaCppModel:
    """A local GGUF model run in-process by llama-cpp-python (``pip install '.[local-llm]'``)."""

    def __init__(self, settings: Settings, *, n_threads: int | None = None) -> None:
        path = settings.llm_gguf_path
        if path is None:
            raise ValueError("LlamaCppModel needs settings.llm_gguf_path")
        llama_class = _import_llama()
        path = Path(path)
        if not path.is_file():
            raise LLMUnavailableError(f"GGUF model not found: {path}")
        self.name = f"llama-cpp:{path.name}"
        self._temperature = settings.llm_temperature
        self._max_tokens = settings.llm_max_tokens
        self._lock = threading.Lock()  # a Llama instance is not thread-safe
        logger.info("loading %s (n_ctx=%d)", path, settings.llm_context_window)
        self._llama = llama_class(
            model_path=str(path),
            n_ctx=settings.llm_context_window,
            n_threads=n_threads,
            verbose=False,
        )

    def __repr__(self) -> str:
        return f"LlamaCppModel(name={self.name!r})"

    def _create(self, messages: list[Message], stream: bool) -> Any:
        return self._llama.create_chat_completion(
            messages=messages,
            temperature=self._temperature,
            max_tokens=self._max_tokens,
            stream=stream,
        )

    def complete(self, messages: list[Message]) -> str:
        """Return the whole reply; raises :class:`LLMError` on any failure."""
        with self._lock:
            try:
                result = self._create(messages, stream=False)
                return result["choices"][0]["message"].get("content") or ""
            except Exception as exc:  # noqa: BLE001
                raise _wrap_error(self.name, exc, None) from None

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Yield text deltas; holds the model lock until the stream ends."""
        with self._lock:
            try:
                for chunk in self._create(messages, stream=True):
                    choices = chunk.get("choices") or [{}]
                    delta = (choices[0].get("delta") or {}).get("content")
                    if delta:
                        yield delta
            except Exception as exc:  # noqa: BLE001
                raise _wrap_error(self.name, exc, None) from None


def _import_llama() -> Any:
    """The ``llama_cpp.Llama`` class, or a clear error telling how to install it."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise LLMUnavailableError(
            f"llama-cpp-python is not installed; install the local-LLM extra: {LOCAL_LLM_HINT}"
        ) from exc
    return Llama


def _max_retries(settings: Settings) -> int:
    """Retries for a failed request (``settings.llm_max_retries`` when that setting exists)."""
    return int(getattr(settings, "llm_max_retries", DEFAULT_MAX_RETRIES))


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model: an endpoint (``llm_base_url``) wins over a GGUF file; else None."""
    if settings.llm_base_url:
        return OpenAICompatibleModel(settings)
    if settings.llm_gguf_path is not None:
        return LlamaCppModel(settings)
    logger.debug("no LLM configured (set RAG_LLM_BASE_URL or RAG_LLM_GGUF_PATH)")
    return None
def translate(model: ChatModel, settings: Settings, text: str, target_language: str) -> str | None:
    """``text`` translated into ``target_language`` ('zh' or 'en'); None on any error or empty reply."""
    try:
        result = clean_single_line_output(
            model.complete(build_translate_messages(settings, text, target_language))
        )
    except Exception as exc:  # noqa: BLE001 - translation is an optional improvement
        logger.warning("translation to %s failed: %s", target_language, exc)
        return None
    if not result:
        logger.warning("translation to %s came back empty", target_language)
        return None
    return result


def rewrite_followup(
    model: ChatModel,
    settings: Settings,
    history: Sequence[tuple[str, str]] | None,
    question: str,
    language: str,
) -> str:
    """``question`` rewritten to stand alone given earlier ``(question, answer)`` turns.

    Without history the question is returned unchanged (no LLM call); on any error, an empty
    reply or an over-long one, the original question is returned.
    """
    if not history:
        return question
    try:
        result = clean_single_line_output(
            model.complete(build_rewrite_messages(settings, history, question, language))
        )
    except Exception as exc:  # noqa: BLE001
        logger.warning("follow-up rewrite failed, keeping the question: %s", exc)
        return question
    if not result or len(result) > settings.max_question_chars:
        logger.warning("follow-up rewrite unusable, keeping the question")
        return question
    return result
