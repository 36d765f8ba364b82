"""quotes: quote and attribution extraction for news text.

>>> from quotes import extract
>>> [q.text for q in extract("“We will win,” she said.")]
['We will win']
"""

from __future__ import annotations

from .pipeline import ModelNotFoundError, extract, extract_documents, load_pipeline
from .types import CharSpan, Document, Quote, Speaker

__version__ = "0.1.0"

__all__ = [
    "CharSpan",
    "Document",
    "ModelNotFoundError",
    "Quote",
    "Speaker",
    "__version__",
    "extract",
    "extract_documents",
    "load_pipeline",
]
