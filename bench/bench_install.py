"""The base install: how long it takes, how much it weighs, and that it extracts.

Creates a fresh virtual environment in a temporary folder, installs the project
from ``--source`` (default: this checkout) without extras and without pip's
cache (``--no-cache-dir``: every package is fetched, as on a new machine), then

- prints the wall time of ``pip install``, the size of the environment's
  ``site-packages`` and its number of distributions, and whether the web stack
  (label-studio-sdk, pandas, fastapi, uvicorn) came along;
- runs ``quotes extract`` on the seeds (must succeed) and ``quotes push`` (must
  fail with one line naming ``pip install 'quotes[labelstudio]'``, when the
  source has that extra).

    .venv/bin/python bench/bench_install.py [--source PATH] [--python python3] [--keep]

To compare with an older commit: ``git archive COMMIT | tar -x -C /tmp/old`` and
``--source /tmp/old``. Needs the package index (network); timings depend on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_STACK = ("label_studio_sdk", "pandas", "fastapi", "uvicorn", "cv2", "nltk")


def folder_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symlinks not followed)."""
    total = 0
    for base, _, files in os.walk(path):
        for name in files:
            file = Path(base) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="project folder to install")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venv")
    parser.add_argument("--keep", action="store_true", help="keep the environment")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="quotes-install-"))
    env_dir = work / "venv"
    try:
        subprocess.run([args.python, "-m", "venv", str(env_dir)], check=True)
        pip = [str(env_dir / "bin" / "python"), "-m", "pip"]
        started = time.perf_counter()
        installed = subprocess.run(
            [*pip, "install", "-q", "--no-cache-dir", str(args.source.resolve())],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if installed.returncode != 0:
            print(installed.stderr[-2000:], file=sys.stderr)
            return 1
        site = next((env_dir / "lib").glob("python*/site-packages"))
        dists = len(list(site.glob("*.dist-info")))
        present = [m for m in WEB_STACK if (site / m).exists()]
        print(f"source {args.source.resolve()}; load average {os.getloadavg()}")
        print(f"pip install (no extras, no cache): {seconds:.0f} s")
        print(f"site-packages: {folder_size(site) / 2**20:.0f} MiB in {dists} distributions")
        print(f"web stack present: {', '.join(present) or 'none'}")
        quotes = str(env_dir / "bin" / "quotes")
        out = work / "seeds.jsonl"
        extract = subprocess.run(
            [quotes, "extract", str(args.source / "seeds"), "-o", str(out), "--no-progress"],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = out.read_text(encoding="utf-8").count("\n") if out.exists() else 0
        print(f"quotes extract seeds: exit {extract.returncode}, {lines} documents")
        if extract.returncode != 0:
            print(extract.stderr, file=sys.stderr)
        push = subprocess.run(
            [quotes, "push", str(args.source / "seeds"), "--project", "P"],
            capture_output=True,
            text=True,
            check=False,
            env={
                **os.environ,
                "LABEL_STUDIO_URL": "http://127.0.0.1:9",
                "LABEL_STUDIO_API_KEY": "",
            },
        )
        print(f"quotes push: exit {push.returncode}: {push.stderr.strip()[:200]}")
        return 0 if extract.returncode == 0 and lines == 5 else 1
    finally:
        if args.keep:
            print(f"kept {env_dir}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
