"""Export River's Phishing and TrumpApproval datasets to CSV (features..., target) in OUTDIR.

Usage: python3 export_datasets.py OUTDIR
Prints one JSON line: {"phishing": path, "trump": path}. The data is River's (BSD-3); it is
written at run time and never committed.
"""
import csv
import json
import os
import sys

from river import datasets


def export(ds, path, target):
    rows = list(ds)
    names = list(rows[0][0].keys())
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + [target])
        for x, y in rows:
            w.writerow([repr(float(x[k])) for k in names] + [repr(float(y))])
    return path


def export_all(out):
    os.makedirs(out, exist_ok=True)
    return {
        "phishing": export(datasets.Phishing(), os.path.join(out, "phishing.csv"), "is_phishing"),
        "trump": export(datasets.TrumpApproval(), os.path.join(out, "trump.csv"), "five_thirty_eight"),
    }


def main():
    print(json.dumps(export_all(sys.argv[1])))


if __name__ == "__main__":
    main()
