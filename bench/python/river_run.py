"""Run a River model over a CSV (features..., target) predict-then-learn, in file order.

Usage: python3 river_run.py CSV MODEL [REPS]
       python3 river_run.py --all OUTDIR [REPS]   (export both datasets to OUTDIR, run every
                                                  model on its dataset: one Python start-up)
MODEL: logreg (StandardScaler | LogisticRegression()),
       linreg_doc (StandardScaler | LinearRegression(intercept_lr=0.1), the docstring example),
       linreg (StandardScaler | LinearRegression()).
Prints one JSON line: metric name and value (first pass), rows, and the time per
predict_one + learn_one (the fastest of REPS passes, each on a fresh model; default 3).
"""
import csv
import json
import sys
import time

from river import linear_model, metrics, preprocessing


def read(path):
    with open(path) as f:
        r = csv.reader(f)
        names = next(r)
        rows = [[float(v) for v in line] for line in r]
    feats = names[:-1]
    return [({k: row[i] for i, k in enumerate(feats)}, row[-1]) for row in rows]


def model_for(name):
    if name == "logreg":
        return preprocessing.StandardScaler() | linear_model.LogisticRegression(), metrics.Accuracy(), True
    if name == "linreg_doc":
        return preprocessing.StandardScaler() | linear_model.LinearRegression(intercept_lr=0.1), metrics.MAE(), False
    if name == "linreg":
        return preprocessing.StandardScaler() | linear_model.LinearRegression(), metrics.MAE(), False
    raise SystemExit(f"unknown model {name}")


def one_pass(name, data):
    model, metric, _ = model_for(name)
    t0 = time.perf_counter()
    for x, y in data:
        y_pred = model.predict_one(x)
        metric.update(y, y_pred)
        model.learn_one(x, y)
    return metric, time.perf_counter() - t0


def run(path, name, reps):
    data = read(path)
    _, _, cls = model_for(name)
    if cls:
        data = [(x, y == 1.0) for x, y in data]
    metric, best = one_pass(name, data)
    for _ in range(reps - 1):
        best = min(best, one_pass(name, data)[1])
    return {
        "model": name,
        "metric": type(metric).__name__,
        "value": metric.get(),
        "rows": len(data),
        "seconds": best,
        "per_reading_s": best / len(data),
    }


def main():
    if sys.argv[1] == "--all":
        from export_datasets import export_all

        reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
        paths = export_all(sys.argv[2])
        jobs = [("phishing", "logreg"), ("trump", "linreg_doc"), ("trump", "linreg")]
        results = [dict(run(paths[d], m, reps), dataset=d) for d, m in jobs]
        print(json.dumps({"paths": paths, "results": results}))
        return
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(json.dumps(run(sys.argv[1], sys.argv[2], reps)))


if __name__ == "__main__":
    main()
