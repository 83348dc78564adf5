"""River's HalfSpaceTrees on one NAB CSV, for bench/nab.bench.ts.

Features per reading: the value and its first difference (the same two features edgelearn's
HALFSPACE sees), scaled by River's MinMaxScaler as in River's HalfSpaceTrees example. Scores
each reading before learning it (score_one, then learn_one) and prints one score per line,
then a final line `# seconds <s>`.

usage: python3 nab_river_hst.py FILE.csv [n_trees height window_size seed]
"""
import csv
import sys
import time

from river import anomaly, compose, preprocessing


def main() -> None:
    path = sys.argv[1]
    n_trees, height, window, seed = (int(v) for v in (sys.argv[2:6] if len(sys.argv) >= 6 else (10, 8, 250, 42)))
    model = compose.Pipeline(
        preprocessing.MinMaxScaler(),
        anomaly.HalfSpaceTrees(n_trees=n_trees, height=height, window_size=window, seed=seed),
    )
    out = []
    prev = None
    t0 = time.perf_counter()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            v = float(row["value"])
            x = {"value": v, "delta": 0.0 if prev is None else v - prev}
            prev = v
            out.append(model.score_one(x))
            model.learn_one(x)
    secs = time.perf_counter() - t0
    sys.stdout.write("\n".join(f"{s:.6g}" for s in out))
    sys.stdout.write(f"\n# seconds {secs:.3f}\n")


if __name__ == "__main__":
    main()
