#!/usr/bin/env python3
"""An independent referee for `sgpst clearing solve`.

Random clearing instances of several shapes (and instances exported from generated databases) are
solved twice: by sgpst, and here as a mixed-integer programme (scipy's HiGHS; clashes as clique
constraints from networkx). Both must fill the same number of sessions and reach the same objective,
and sgpst's proposal must break no rule of the file format.

usage: check_solver.py path/to/sgpst [--instances N] [--seed S] [--keep DIR]
"""
import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

import networkx as nx
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

TOLERANCE = 1e-6


def minutes(text):
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def clash(a, b):
    """Two intervals clash when on the same date their [start, end) times intersect."""
    return a["date"] == b["date"] and minutes(a["start"]) < minutes(b["end"]) and minutes(b["start"]) < minutes(a["end"])


def penalty(gp, k):
    pens = gp["penalties"]
    if k < len(pens):
        return pens[k]
    return pens[-1] if pens else 0.0


def usable_pairs(instance):
    """Pairs a GP could take: listed, with room in the week, not clashing with their bookings."""
    sessions = {s["id"]: s for s in instance["sessions"]}
    gps = {g["id"]: g for g in instance["gps"]}
    out = []
    for pair in instance["pairs"]:
        gp = gps[pair["gpId"]]
        session = sessions[pair["sessionId"]]
        if gp["maxSessions"] <= 0 or any(clash(session, b) for b in gp["booked"]):
            continue
        out.append(pair)
    return out


def reference_solve(instance):
    """Lexicographic optimum by MILP: most sessions first, then the best score less penalties."""
    sessions = {s["id"]: s for s in instance["sessions"]}
    gps = {g["id"]: g for g in instance["gps"]}
    pairs = usable_pairs(instance)
    if not pairs:
        return 0, 0.0
    n_x = len(pairs)
    slots = [(g["id"], k) for g in instance["gps"] for k in range(max(0, g["maxSessions"]))]
    n = n_x + len(slots)
    slot_index = {slot: n_x + i for i, slot in enumerate(slots)}
    rows = []  # (coefficients dict, low, high)
    by_session = {}
    by_gp = {}
    for i, pair in enumerate(pairs):
        by_session.setdefault(pair["sessionId"], []).append(i)
        by_gp.setdefault(pair["gpId"], []).append(i)
    for members in by_session.values():
        rows.append(({i: 1 for i in members}, -np.inf, 1))
    for gp_id, members in by_gp.items():
        gp = gps[gp_id]
        coefficients = {i: 1 for i in members}
        for k in range(gp["maxSessions"]):
            coefficients[slot_index[(gp_id, k)]] = -1
        rows.append((coefficients, 0, 0))
        for k in range(gp["maxSessions"] - 1):
            rows.append(({slot_index[(gp_id, k)]: 1, slot_index[(gp_id, k + 1)]: -1}, 0, np.inf))
        graph = nx.Graph()
        graph.add_nodes_from(members)
        for a, b in itertools.combinations(members, 2):
            if clash(sessions[pairs[a]["sessionId"]], sessions[pairs[b]["sessionId"]]):
                graph.add_edge(a, b)
        for clique in nx.find_cliques(graph):
            if len(clique) > 1:
                rows.append(({i: 1 for i in clique}, -np.inf, 1))
    for gp_id in gps:
        if gp_id not in by_gp:
            for k in range(gps[gp_id]["maxSessions"]):
                rows.append(({slot_index[(gp_id, k)]: 1}, 0, 0))

    def constraint(extra=None):
        all_rows = rows + ([extra] if extra else [])
        matrix = lil_matrix((len(all_rows), n))
        low = np.empty(len(all_rows))
        high = np.empty(len(all_rows))
        for r, (coefficients, lo, hi) in enumerate(all_rows):
            for column, value in coefficients.items():
                matrix[r, column] = value
            low[r], high[r] = lo, hi
        return LinearConstraint(matrix.tocsr(), low, high)

    integrality = np.ones(n)
    bounds = Bounds(np.zeros(n), np.ones(n))
    count = np.zeros(n)
    count[:n_x] = -1
    first = milp(count, constraints=constraint(), integrality=integrality, bounds=bounds)
    assert first.success, first.message
    filled = int(round(-first.fun))
    value = np.zeros(n)
    for i, pair in enumerate(pairs):
        value[i] = -pair["score"]
    for (gp_id, k), column in slot_index.items():
        value[column] = penalty(gps[gp_id], k)
    second = milp(
        value,
        constraints=constraint(({i: 1 for i in range(n_x)}, filled, np.inf)),
        integrality=integrality,
        bounds=bounds,
        options={"mip_rel_gap": 0},
    )
    assert second.success, second.message
    return filled, -second.fun


def check_proposal(instance, answer):
    """The proposal keeps every rule and its objective is what it claims."""
    sessions = {s["id"]: s for s in instance["sessions"]}
    gps = {g["id"]: g for g in instance["gps"]}
    scores = {(p["gpId"], p["sessionId"]): p["score"] for p in instance["pairs"]}
    taken = {}
    per_gp = {}
    objective = 0.0
    for a in answer["assignments"]:
        key = (a["gpId"], a["sessionId"])
        assert key in scores, f"GP {a['gpId']} is not paired with session {a['sessionId']}"
        assert a["sessionId"] not in taken, f"session {a['sessionId']} proposed twice"
        taken[a["sessionId"]] = a["gpId"]
        per_gp.setdefault(a["gpId"], []).append(sessions[a["sessionId"]])
        objective += scores[key]
    for gp_id, chosen in per_gp.items():
        gp = gps[gp_id]
        assert len(chosen) <= gp["maxSessions"], f"GP {gp_id} over their limit"
        for a, b in itertools.combinations(chosen, 2):
            assert not clash(a, b), f"GP {gp_id} given clashing sessions {a['id']} and {b['id']}"
        for session in chosen:
            assert not any(clash(session, b) for b in gp["booked"]), f"GP {gp_id} clashes with a booking"
        objective -= sum(penalty(gp, k) for k in range(len(chosen)))
    assert answer["filled"] == len(answer["assignments"]), "filled counts the assignments"
    assert abs(answer["objective"] - objective) < 1e-3, f"objective {answer['objective']} but the proposal is worth {objective}"


DAY_SLOTS = [("08:30", "12:30"), ("09:00", "12:00"), ("08:00", "11:00"), ("12:00", "14:00"), ("13:30", "17:30"),
             ("14:00", "16:00"), ("18:30", "21:00")]


def random_instance(rng, shape):
    dates = [f"2026-12-{d:02d}" for d in range(7, 7 + rng.randint(1, 5))]
    n_sessions = rng.randint(4, 45)
    n_gps = rng.randint(2, 25)
    sessions = []
    for i in range(n_sessions):
        if shape in ("many-overlaps", "straddlers") or rng.random() < 0.6:
            start, end = rng.choice(DAY_SLOTS)
        else:
            s = rng.randrange(7 * 60, 19 * 60, 15)
            e = s + rng.choice([60, 90, 120, 180, 240, 300])
            start, end = f"{s // 60:02d}:{s % 60:02d}", f"{min(e, 1439) // 60:02d}:{min(e, 1439) % 60:02d}"
        if shape == "many-overlaps":
            dates = dates[:1]
        sessions.append({"id": 100 + i, "date": rng.choice(dates), "start": start, "end": end})
    gps = []
    for g in range(n_gps):
        cap = 1 if shape == "caps-of-one" else rng.randint(0, 6)
        step = rng.choice([0, 1, 2.5, 3, 10])
        base = rng.choice([0, 0, 3, 6])
        penalties = [base + step * k for k in range(cap if rng.random() < 0.8 else max(0, cap - 2))]
        booked = []
        if shape == "booked" or rng.random() < 0.2:
            start, end = rng.choice(DAY_SLOTS)
            booked.append({"date": rng.choice(dates), "start": start, "end": end})
        gps.append({"id": 1 + g, "maxSessions": cap, "booked": booked, "penalties": penalties})
    pairs = []
    density = 0.9 if shape == "many-overlaps" else rng.uniform(0.15, 0.6)
    scarce = set(rng.sample(range(n_sessions), max(1, n_sessions // 3))) if shape == "scarce-skill" else set()
    skilled = {gps[0]["id"]} if shape == "scarce-skill" else set()
    for i, session in enumerate(sessions):
        for gp in gps:
            if i in scarce and gp["id"] not in skilled:
                continue
            if rng.random() < density:
                score = rng.choice([100, 105, 120, 125, 150, 175]) if shape == "ties" else round(rng.uniform(50, 200), 1)
                pairs.append({"gpId": gp["id"], "sessionId": session["id"], "score": score})
    return {"sessions": sessions, "gps": gps, "pairs": pairs}


def solve_with_sgpst(sgpst, path):
    result = subprocess.run([sgpst, "clearing", "solve", path], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"sgpst clearing solve {path} failed: {result.stderr}"
    return json.loads(result.stdout)


def exported_instances(sgpst, folder, count):
    """Instances exported from generated databases: the export's own format, end to end."""
    for seed in range(1, count + 1):
        database = os.path.join(folder, f"generated-{seed}.sqlite")
        subprocess.run([sgpst, "generate", "--database", database, "--practices", "90", "--gps", "160",
                        "--sessions", "300", "--seed", str(seed), "--week", "2027-W10"],
                       check=True, capture_output=True, timeout=300)
        path = os.path.join(folder, f"exported-{seed}.json")
        subprocess.run([sgpst, "clearing", "export", "--database", database, "--organisation", "G0001",
                        "--week", "2027-W10", "--output", path], check=True, capture_output=True, timeout=300)
        yield f"exported (seed {seed})", path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sgpst")
    parser.add_argument("--instances", type=int, default=150)
    parser.add_argument("--exported", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="sgpst-clearing-")
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(args.seed)
    shapes = ["mixed", "many-overlaps", "straddlers", "scarce-skill", "caps-of-one", "booked", "ties"]
    cases = []
    for i in range(args.instances):
        shape = shapes[i % len(shapes)]
        path = os.path.join(folder, f"random-{i:03d}-{shape}.json")
        with open(path, "w") as handle:
            json.dump(random_instance(rng, shape), handle)
        cases.append((f"{shape} #{i}", path))
    cases.extend(exported_instances(args.sgpst, folder, args.exported))
    failures = 0
    for name, path in cases:
        with open(path) as handle:
            instance = json.load(handle)
        answer = solve_with_sgpst(args.sgpst, path)
        try:
            check_proposal(instance, answer)
            filled, objective = reference_solve(instance)
            assert answer["filled"] == filled, f"sgpst filled {answer['filled']}, the MILP {filled}"
            assert abs(answer["objective"] - objective) < 1e-3 + TOLERANCE * abs(objective), (
                f"sgpst objective {answer['objective']}, the MILP {objective}")
            assert answer.get("optimal", True), "sgpst did not prove its answer optimal"
        except AssertionError as error:
            failures += 1
            print(f"FAIL {name} ({path}): {error}")
            continue
        print(f"ok   {name}: {len(instance['sessions'])} sessions, {len(instance['pairs'])} pairs, "
              f"filled {filled}, objective {objective:.1f}")
    print(f"{len(cases) - failures} of {len(cases)} instances agree")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
