"""PolicyQA: bilingual (Chinese + English) question answering over policy documents, with citations."""

__version__ = "0.1.0"
