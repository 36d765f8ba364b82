"""Extraction, speaker tables and scoring of sharded corpora, in one process or on Dask.

The unit of work is a shard (:mod:`quotes.shards`): a worker loads the
pipeline once (:func:`worker_pipeline`) and processes whole shards, writing
each output shard itself (workers and client share the file system) and
returning its counts and checksum; the client keeps the manifest. Scores and
speaker tables are sums, so each shard is reduced on a worker and the parts
are combined on the cluster in corpus order: the figures are those of one
process.

For teams composing their own Dask graphs, :func:`extract_records` maps a
partition of ``{"id", "text"}`` records (a ``dask.bag`` partition) to
extracted records, and :func:`extract_frame` does the same for a dataframe
partition::

    import dask.bag as db, json
    from quotes.cluster import extract_records
    bag = db.read_text("archive/*.jsonl.gz").map(json.loads)
    out = bag.map_partitions(extract_records, load_options={"model": "en_core_web_sm"})
    out.map(json.dumps).to_textfiles("extracted/*.jsonl.gz")

Dask (``pip install 'quotes[dask]'``) is imported only by the functions
that need a cluster.
"""

from __future__ import annotations

from .connection import ClusterError, LoadOptions, connect, parse_scheduler
from .extraction import ShardResult, ShardRun, extract_shards, run_shard, run_shard_on_worker
from .partitions import FRAME_COLUMNS, extract_frame, extract_records, frame_meta
from .reductions import evaluate_shards, speaker_table_shards
from .workers import worker_model_version, worker_pipeline

__all__ = [
    "FRAME_COLUMNS",
    "ClusterError",
    "LoadOptions",
    "ShardResult",
    "ShardRun",
    "connect",
    "evaluate_shards",
    "extract_frame",
    "extract_records",
    "extract_shards",
    "frame_meta",
    "parse_scheduler",
    "run_shard",
    "run_shard_on_worker",
    "speaker_table_shards",
    "worker_model_version",
    "worker_pipeline",
]
