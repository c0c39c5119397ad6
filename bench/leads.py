#!/usr/bin/env python3
"""bench/leads.py - how good is the ranking?  Precision of darkfleet's ranked
vessels and encounters against the labelled real day in tests/leads/.

Usage: leads.py LABELS_DIR PLAIN_DB LIST_DB [NAME]
  PLAIN_DB: a store from `scan` of the MarineCadastre day without a list;
  LIST_DB:  the same day scanned with OFAC's SDN list (--watchlist sdn.csv).
Prints one Markdown table row per measure (see bench/leads.sh).

Vessels are ranked as the store ranks them (risk score descending, then
MMSI); encounters by their event score, then start.  A vessel counts as
relevant with label relevance >= 1 (a lead worth a look), as strong with
relevance 2 (a ship-to-ship transfer between tankers or cargo ships, or,
with the list, a vessel listed by its IMO number).  An encounter counts as
relevant when labelled sts_transfer.  Anything unlabelled in a top 20 is
reported: the labels must cover what is measured.
"""
import csv
import os
import sqlite3
import sys


def load(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def ranked_vessels(db):
    return [r[0] for r in db.execute(
        "SELECT mmsi FROM risk WHERE score > 0 ORDER BY score DESC, mmsi")]


def ranked_encounters(db):
    return list(db.execute(
        "SELECT vessel1, vessel2, start, end, score FROM events "
        "WHERE type = 'encounter' ORDER BY score DESC, start, vessel1, vessel2"))


def precision(rel, k):
    top = rel[:k]
    return sum(top) / k if k else 0.0


def main():
    labels, plain_path, list_path = sys.argv[1:4]
    name = sys.argv[4] if len(sys.argv) > 4 else 'darkfleet'
    vl = {int(r['mmsi']): r for r in load(os.path.join(labels, 'vessels.csv'))}
    el = load(os.path.join(labels, 'encounters.csv'))
    rows = []
    unlabelled = []

    def vessel_rows(db, col, tag):
        ranked = ranked_vessels(db)
        rel = []
        for i, m in enumerate(ranked):
            lab = vl.get(m)
            if lab is None and i < 20:
                unlabelled.append('%s vessel #%d: %d' % (tag, i + 1, m))
            rel.append(int(lab[col]) if lab else 0)
        anyrel = [1 if r >= 1 else 0 for r in rel]
        strong = [1 if r >= 2 else 0 for r in rel]
        return ranked, anyrel, strong

    plain = sqlite3.connect('file:%s?mode=ro' % plain_path, uri=True)
    listdb = sqlite3.connect('file:%s?mode=ro' % list_path, uri=True)

    ranked, anyrel, strong = vessel_rows(plain, 'relevant', 'plain')
    rows.append(('vessels, no list: precision at 10 / 20 (leads worth a look)',
                 '%.2f / %.2f' % (precision(anyrel, 10), precision(anyrel, 20))))
    rows.append(('vessels, no list: precision at 10 / 20 (tanker or cargo transfers)',
                 '%.2f / %.2f' % (precision(strong, 10), precision(strong, 20))))
    sts = [m for m, r in vl.items() if r['label'] == 'sts']
    pos = {m: i + 1 for i, m in enumerate(ranked)}
    ranks = sorted(pos.get(m, 10 ** 6) for m in sts)
    rows.append(('vessels, no list: ranks of the %d transfer vessels' % len(sts),
                 ', '.join(str(r) if r < 10 ** 6 else '-' for r in ranks)))

    ranked, anyrel, strong = vessel_rows(listdb, 'relevant_with_list', 'list')
    rows.append(('vessels, SDN list: precision at 10 / 20 (leads worth a look)',
                 '%.2f / %.2f' % (precision(anyrel, 10), precision(anyrel, 20))))
    rows.append(('vessels, SDN list: precision at 10 / 20 (transfers or listed by IMO)',
                 '%.2f / %.2f' % (precision(strong, 10), precision(strong, 20))))
    listed = [m for m, r in vl.items() if r['label'] == 'listed_imo']
    pos = {m: i + 1 for i, m in enumerate(ranked)}
    ranks = sorted(pos.get(m, 10 ** 6) for m in listed)
    rows.append(('vessels, SDN list: ranks of the %d vessels listed by IMO' % len(listed),
                 ', '.join(str(r) if r < 10 ** 6 else '-' for r in ranks)))
    by = dict(listdb.execute(
        "SELECT json_extract(evidence, '$.matched_by'), count(*) FROM events "
        "WHERE type = 'watchlist_match' GROUP BY 1").fetchall())
    rows.append(('watchlist matches, SDN list: by IMO or MMSI / by name or call sign',
                 '%d / %d' % (by.get('imo', 0) + by.get('mmsi', 0),
                              by.get('name', 0) + by.get('callsign', 0))))

    enc = ranked_encounters(plain)
    rel = []
    for i, (a, b, s, e, score) in enumerate(enc):
        lo, hi = sorted((a, b))
        hit = None
        for lab in el:
            if int(lab['mmsi_a']) == lo and int(lab['mmsi_b']) == hi and \
                    lab['start'] <= e and s <= lab['end']:
                hit = lab
                break
        if hit is None and i < 20:
            unlabelled.append('encounter #%d: %d-%d %s' % (i + 1, lo, hi, s))
        rel.append(int(hit['relevant']) if hit else 0)
    rows.append(('encounters (%d): precision at 10 / 20' % len(enc),
                 '%.2f / %.2f' % (precision(rel, 10), precision(rel, 20))))
    ranks = [i + 1 for i, r in enumerate(rel) if r]
    rows.append(('encounters: ranks of the %d labelled transfers found' % len(ranks),
                 ', '.join(map(str, ranks)) or '-'))

    print('| measure (%s) | value |' % name)
    print('|---|---|')
    for m, v in rows:
        print('| %s | %s |' % (m, v))
    for u in unlabelled:
        print('unlabelled in a top 20: %s' % u, file=sys.stderr)
    return 1 if unlabelled else 0


if __name__ == '__main__':
    sys.exit(main())
