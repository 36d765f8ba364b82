"""For teams composing their own Dask graphs: partitions of ``{"id", "text"}`` records
(a ``dask.bag`` partition, a dataframe partition) mapped to extracted records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..io import InputError
from ..pipeline import extract_documents
from ..types import Document
from .connection import LoadOptions
from .workers import worker_pipeline

if TYPE_CHECKING:
    pass


# --- partitions: for teams composing their own Dask graphs -----------------------


def extract_records(
    records: Iterable[Mapping[str, Any]],
    load_options: LoadOptions | None = None,
    *,
    batch_size: int = 32,
) -> list[dict[str, Any]]:
    """Extract a partition of ``{"id", "text"}`` records into extractor records, in order.

    Meant for ``dask.bag.Bag.map_partitions`` (each worker process loads the
    pipeline of ``load_options`` once). A record comes back in the JSONL
    schema of ``quotes extract`` (``{"id", "text", "quotes", "speakers", "model_version"}``);
    one that cannot be extracted comes back in its place as
    ``{"id", "error"}``, never dropped.
    """
    nlp, lock = worker_pipeline(load_options)
    slots: list[dict[str, Any] | None] = []
    documents: list[Document] = []
    original_ids: dict[str, str] = {}
    for index, record in enumerate(records):
        fields = record if isinstance(record, Mapping) else {}
        text, doc_id = fields.get("text"), fields.get("id")
        if not isinstance(text, str) or doc_id is None:
            slots.append({"id": doc_id, "error": 'a record needs "id" and a string "text"'})
            continue
        slots.append(None)
        # the position stands in for the id: failures come back by id, and ids may repeat
        original_ids[str(index)] = str(doc_id)
        documents.append(Document(str(index), text))
    failed: list[InputError] = []
    with lock:
        for doc in extract_documents(documents, nlp, batch_size=batch_size, errors=failed):
            record_id = original_ids[doc.id]
            slots[int(doc.id)] = replace(doc, id=record_id).to_dict()
    for error in failed:
        slots[int(error.source)] = {"id": original_ids[error.source], "error": error.message}
    return [slot if slot is not None else {} for slot in slots]


#: The columns of :func:`extract_frame`'s result.
FRAME_COLUMNS: tuple[str, ...] = ("id", "text", "quotes", "speakers", "model_version", "error")


def frame_meta() -> Any:
    """An empty ``pandas.DataFrame`` shaped like :func:`extract_frame`'s result (``meta``)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series([], dtype=object) for name in FRAME_COLUMNS})


def extract_frame(
    frame: Any, load_options: LoadOptions | None = None, *, batch_size: int = 32
) -> Any:
    """Extract a ``pandas.DataFrame`` partition with ``id`` and ``text`` columns.

    For ``dask.dataframe.DataFrame.map_partitions(extract_frame, meta=frame_meta())``.
    The result keeps the partition's index and has :data:`FRAME_COLUMNS`:
    ``quotes`` and ``speakers`` as lists of dicts (the JSONL schema) and
    ``error`` None, or the reason a row could not be extracted (its
    ``quotes`` and ``speakers`` then None).
    """
    import pandas as pd

    records = [
        {"id": doc_id, "text": text}
        for doc_id, text in zip(frame["id"].tolist(), frame["text"].tolist(), strict=True)
    ]
    rows = extract_records(records, load_options, batch_size=batch_size)
    columns: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for record, row in zip(records, rows, strict=True):
        columns["id"].append(record["id"])
        columns["text"].append(record["text"])
        columns["quotes"].append(row.get("quotes"))
        columns["speakers"].append(row.get("speakers"))
        columns["model_version"].append(row.get("model_version"))
        columns["error"].append(row.get("error"))
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object, index=frame.index)
            for name, values in columns.items()
        }
    )
