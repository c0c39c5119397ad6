#!/usr/bin/env python3
"""tools/mkplaces.py - derives data/places/places.csv, the reference of
ports and anchorages darkfleet ships and loads by default, from two openly
licensed files in ../shared/data/geo (never copied into the repository):

  - Global Fishing Watch's named anchorages (anchorages_pipeline,
    anchorage_overrides.csv, Apache-2.0): 60,410 S2 level-14 cells where
    vessels stay, each with a port label and ISO3 country.  Cells of one
    label within 2 km of each other make one anchorage, cut into pieces of
    at most 3 km around a seed cell where a chain of cells runs further
    (along a river or a coast): each piece's centre is the mean of its
    cells, its radius the farthest cell centre plus half a cell (0.5 km).
  - The World Port Index (NGA, public domain; WPI_ports_full_tracktable
    .csv): 3,696 ports.  A harbour is a port whose berths are within a
    radius by its harbour size (Very Small 2 km, Small 2.5 km, Medium
    3 km, Large 4 km); an open roadstead (ships lie at anchor off the
    coast) is an anchorage of 3 km.

Output columns: kind (port | anchorage), name, country (ISO3), latitude,
longitude, radius_km (one decimal), source (gfw | wpi).  Sorted by kind,
country, name, position, so the file is the same on every run.

Usage: tools/mkplaces.py [SHARED_DATA_DIR]   (default ../shared/data)
"""
import csv
import math
import os
import sys

SIZE_KM = {'Very Small': 2.0, 'Small': 2.5, 'Medium': 3.0, 'Large': 4.0}
LINK_KM = 2.0
PIECE_KM = 3.0
CELL_HALF_KM = 0.5
ROADSTEAD_KM = 3.0


def dist_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def clusters(points):
    """Single-linkage clusters of (lat, lon) points within LINK_KM."""
    n = len(points)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    grid = {}
    for i, (la, lo) in enumerate(points):
        grid.setdefault((int(math.floor(la * 20)), int(math.floor(lo * 20))), []).append(i)
    for (gy, gx), members in grid.items():
        near = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                near.extend(grid.get((gy + dy, gx + dx), ()))
        for i in members:
            for j in near:
                if j > i and dist_km(*points[i], *points[j]) <= LINK_KM:
                    parent[find(i)] = find(j)
    out = {}
    for i in range(n):
        out.setdefault(find(i), []).append(points[i])
    pieces = []
    for c in out.values():
        rest = sorted(c)
        while rest:
            seed = rest[0]
            near = [p for p in rest if dist_km(*seed, *p) <= PIECE_KM]
            pieces.append(near)
            rest = [p for p in rest if dist_km(*seed, *p) > PIECE_KM]
    return pieces


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), '..', '..', 'shared', 'data')
    rows = []
    by_label = {}
    with open(os.path.join(data, 'geo', 'anchorages_gfw', 'anchorage_overrides.csv'), newline='') as f:
        for r in csv.DictReader(f):
            try:
                la, lo = float(r['latitude']), float(r['longitude'])
            except ValueError:
                continue
            if not (-90 <= la <= 90 and -180 <= lo <= 180):
                continue
            label = ' '.join(r['label'].split()) or 'ANCHORAGE'
            by_label.setdefault((label, r['iso3'].strip()), []).append((la, lo))
    for (label, iso3), pts in by_label.items():
        for c in clusters(pts):
            la = sum(p[0] for p in c) / len(c)
            # mean longitude relative to the first point (antimeridian)
            lo0 = c[0][1]
            lo = lo0 + sum(((p[1] - lo0 + 180) % 360) - 180 for p in c) / len(c)
            lo = ((lo + 180) % 360) - 180
            rad = max(dist_km(la, lo, p[0], p[1]) for p in c) + CELL_HALF_KM
            rows.append(('anchorage', label, iso3, la, lo, rad, 'gfw'))
    with open(os.path.join(data, 'geo', 'ports_wpi', 'WPI_ports_full_tracktable.csv'), newline='') as f:
        for r in csv.DictReader(f):
            try:
                la, lo = float(r['Latitude']), float(r['Longitude'])
            except ValueError:
                continue
            name = ' '.join(r['Main Port Name'].split()).upper()
            country = r['Country Code'].strip()
            if 'Roadstead' in r['Harbor Type']:
                rows.append(('anchorage', name, country, la, lo, ROADSTEAD_KM, 'wpi'))
            else:
                rows.append(('port', name, country, la, lo,
                             SIZE_KM.get(r['Harbor Size'].strip(), 2.0), 'wpi'))
    rows.sort(key=lambda x: (x[0], x[2], x[1], round(x[3], 5), round(x[4], 5)))
    w = csv.writer(sys.stdout, lineterminator='\n')
    w.writerow(('kind', 'name', 'country', 'latitude', 'longitude', 'radius_km', 'source'))
    for k, name, cc, la, lo, rad, src in rows:
        w.writerow((k, name, cc, '%.5f' % la, '%.5f' % lo, '%.1f' % rad, src))


if __name__ == '__main__':
    main()
