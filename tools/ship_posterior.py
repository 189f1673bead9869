"""Store a finished calibration as the posterior shipped with ics_abm, with its provenance.

Usage (from the repository root, after ``ics-abm calibrate default --out DIR``)::

    .venv/bin/python tools/ship_posterior.py DIR [--wall-s W --cpu-s C]

writes ``ics_abm/data/calibration/posterior-default.parquet`` (one row per accepted parameter
set: ``weight, distance`` and the parameters) and ``posterior-default.json`` (the config's name,
file and SHA-256, root seed, population, evaluations and acceptance rate, package and pyabc
versions, git commit, date, and the run's wall and CPU time when given).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

DATA = Path("ics_abm/data/calibration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a finished ics-abm calibrate folder")
    parser.add_argument("--wall-s", type=float, default=None, help="the run's wall time, s")
    parser.add_argument("--cpu-s", type=float, default=None, help="the run's CPU time over every process, s")
    args = parser.parse_args()

    from ics_abm.experiments.calibration import read_config
    from ics_abm.experiments.calibration.posterior import SHIPPED, posterior

    if not (args.folder / "posterior.parquet").exists():
        sys.exit(f"{args.folder}: expected a finished calibration (posterior.parquet), got none")
    frame = posterior(args.folder)
    text = (args.folder / "config.toml").read_text(encoding="utf-8")
    name = frame.attrs["provenance"]["config_name"]
    shipped = DATA / f"{name}.toml"
    if not shipped.exists() or shipped.read_text(encoding="utf-8") != text:
        sys.exit(f"{args.folder}: expected a calibration run with the shipped config {shipped}, got another config")
    config = read_config(shipped)
    summary = json.loads((args.folder / "summary.json").read_text(encoding="utf-8"))
    evaluations = int(summary["evaluations_now"])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    provenance = {
        "config_name": name,
        "config_file": str(shipped),
        "config_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "root_seed": config.settings.root_seed,
        "method": "ABC rejection at epsilon 0" if config.settings.epsilon == [0.0] else "ABC-SMC",
        "patterns": list(config.settings.patterns),
        "seeds_per_arm": config.settings.seeds,
        "steps": config.settings.steps,
        "generations": int(summary["generations"]),
        "accepted": len(frame),
        "evaluations": evaluations,
        "acceptance_rate": len(frame) / evaluations,
        "ics_abm_version": version("ics_abm"),
        "pyabc_version": version("pyabc"),
        "git_commit": commit,
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_time_s": args.wall_s,
        "cpu_time_s": args.cpu_s,
    }
    frame.drop(columns=["draw"]).to_parquet(DATA / f"{SHIPPED}.parquet", index=False)
    (DATA / f"{SHIPPED}.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(provenance, indent=2))


if __name__ == "__main__":
    main()
