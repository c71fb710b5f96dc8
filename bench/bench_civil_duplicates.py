"""Duplicate detection at registration (issue 13): quality and speed, on PostgreSQL.

    nice -n 10 uv run python bench/bench_civil_duplicates.py [--per-kind 500] [--total 1000000]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_dups),
created if missing and migrated. It is filled (COPY, generated here with a fixed seed) with
`--total` persons (default 1,000,000) in 100 communes of one bench province: families — a
mother, sometimes the father, one to four children born 20 months to 6 years apart, 2 % of
births twins — with Vietnamese names drawn with their real frequencies (family names after the
2005 census shares: Nguyễn 38 %, Trần 11 %, Lê 9.5 %, Phạm 7 %, Hoàng/Huỳnh 5 %, Phan 4.5 %,
Vũ/Võ 3.9 %, …; middle names by sex, Văn and Thị most; the given names of each sex on a Zipf
curve), siblings sharing the family and middle name. The first 10 communes (>= 100,000
persons) are the LABELLED SET; the others only make the table 1,000,000 rows.

Queries, each a person about to be registered in a labelled commune, checked by the
commune's registrar with `civil.services.duplicates.likely_duplicates` (all its queries, the
grants lookup and the audit write included):

- planted duplicates of an existing record (label: that record): the name typed without
  diacritics; Văn/Thị (or another common middle name) dropped or added; given names
  transposed; one letter mistyped; the birth date 1–5 days off; the same mother registering
  the birth again 10–260 days later (half of them under another given name). A third of them
  also have the date 1–5 days off; the place of birth is kept or left empty; the mother linked
  when the original has one, half of the time;
- near misses (label: no duplicate): a sibling (same mother, family and middle name, born
  >= 300 days from the others), a twin (same mother, same day, another given name), the same
  name born 2–40 years apart in the same commune, a namesake (same name, date ±0–5 days) whose
  record is in ANOTHER commune (commune isolation must hide it);
- new persons drawn like the rest (label: no duplicate).

A returned item is a positive; it is true when it is the planted original. Prints precision,
recall (budget recall >= 0.95 at precision >= 0.90), the per-check time p50 / p95 (budget
p95 <= 200 ms at 1,000,000 persons) as the registrar and as a province supervisor (every
commune), PASS/FAIL; exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import Counter

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_dups"
COMMUNES = 100
LABELLED = 10
BUDGET_MS = 200.0
BUDGET_RECALL, BUDGET_PRECISION = 0.95, 0.90
SEED = 13

# Family names with their shares (%), 2005 census as usually quoted; "others" below share the
# rest. Hoàng/Huỳnh and Vũ/Võ split as North/South spellings.
FAMILY = {"Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.0, "Hoàng": 3.0, "Huỳnh": 2.1,
          "Phan": 4.5, "Vũ": 2.0, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
          "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5}
OTHER_FAMILY = ["Đào", "Đoàn", "Vương", "Trịnh", "Trương", "Lâm", "Phùng", "Mai", "Tô", "Hà",
                "Tạ", "Lương", "Cao", "Đinh", "Lưu", "Châu", "Kiều", "Quách", "Triệu", "Thái",
                "La", "Lại", "Khúc", "Chu", "Văn", "Tăng", "Nông", "Hứa", "Từ", "Giang"]
MIDDLE = {"male": {"Văn": 40, "Đức": 10, "Minh": 10, "Hữu": 8, "Quang": 6, "Công": 6,
                   "Đình": 6, "Thanh": 5, "Quốc": 5, "Xuân": 4, "Ngọc": 3, "Trung": 3,
                   "Gia": 2, "Bảo": 2, "Anh": 2},
          "female": {"Thị": 55, "Ngọc": 10, "Thu": 6, "Thanh": 6, "Minh": 5, "Kim": 5,
                     "Hồng": 5, "Mai": 4, "Phương": 4, "Bảo": 3, "Khánh": 3, "Diệu": 2,
                     "Hải": 2}}
GIVEN = {"male": ["Anh", "Minh", "Hùng", "Tuấn", "Dũng", "Hải", "Nam", "Long", "Sơn", "Thắng",
                  "Cường", "Trung", "Hoàng", "Huy", "Quân", "Khoa", "Phúc", "Đạt", "Thành",
                  "Hiếu", "Tùng", "Bình", "Vinh", "Tài", "Lộc", "Phong", "Khang", "Bảo", "Duy",
                  "Hưng", "Tâm", "Kiên", "Lâm", "Nghĩa", "Quang", "Thịnh", "Toàn", "Việt",
                  "Đức", "Hòa", "Tú", "Khôi", "Nhân", "Tiến", "Công", "Hậu", "Lực", "Sang"],
         "female": ["Anh", "Linh", "Hương", "Trang", "Hà", "Lan", "Mai", "Hoa", "Thảo", "Ngọc",
                    "Hằng", "Nhung", "Thủy", "Hạnh", "Yến", "Phương", "Huyền", "Nga", "Dung",
                    "Vy", "Trâm", "Chi", "Giang", "My", "Nhi", "Oanh", "Quyên", "Loan", "Hiền",
                    "Thư", "Uyên", "Vân", "Tuyết", "Hồng", "Diệp", "Liên", "Nhàn", "Thu",
                    "Tâm", "Ánh", "Bích", "Châu", "Duyên", "Gấm", "Hậu", "Khánh", "Lụa"]}
PLACES = ["Trạm y tế xã", "Bệnh viện đa khoa huyện", "Bệnh viện Phụ sản tỉnh", "Tại nhà",
          "Bệnh viện đa khoa tỉnh", "Trung tâm y tế huyện"]
COMMON_MIDDLE = ["Văn", "Thị"]


class Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        rest = 100 - sum(FAMILY.values())
        self.family = list(FAMILY) + OTHER_FAMILY
        self.family_w = list(FAMILY.values()) + [rest / len(OTHER_FAMILY)] * len(OTHER_FAMILY)
        self.given_w = {s: [1 / (i + 1) ** 0.8 for i in range(len(GIVEN[s]))] for s in GIVEN}

    def family_name(self) -> str:
        return self.rng.choices(self.family, self.family_w)[0]

    def middle(self, sex: str) -> list[str]:
        first = self.rng.choices(list(MIDDLE[sex]), list(MIDDLE[sex].values()))[0]
        if self.rng.random() < 0.15:  # two middle names ("Thị Thu", "Văn Minh")
            second = self.rng.choice([m for m in MIDDLE[sex] if m != first])
            return [first, second]
        return [first]

    def given(self, sex: str, avoid: set[str] = frozenset()) -> str:
        while True:
            g = self.rng.choices(GIVEN[sex], self.given_w[sex])[0]
            if g not in avoid:
                return g


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def generate(total: int, first_id: int, commune_ids: list[int]):
    """Yield the person rows (id, full_name, sex, birth_date, birth_place, mother_id,
    commune_id) and collect the families of the labelled communes."""
    rng = random.Random(SEED)
    names = Names(rng)
    per = total // len(commune_ids)
    pk = first_id
    families: list[dict] = []  # labelled communes only
    lone: list[tuple] = []
    for ci, commune in enumerate(commune_ids):
        made = 0
        while made < per:
            fam = names.family_name()
            mum_sex = "female"
            mum_born = _day(rng, dt.date(1950, 1, 1), dt.date(2002, 1, 1))
            mum = (pk, " ".join([names.family_name(), *names.middle(mum_sex),
                                 names.given(mum_sex)]), mum_sex, mum_born,
                   rng.choice(PLACES), None, commune)
            pk += 1
            rows = [mum]
            if rng.random() < 0.5:
                dad_born = mum_born + dt.timedelta(days=rng.randrange(-700, 3000))
                rows.append((pk, " ".join([fam, *names.middle("male"), names.given("male")]),
                             "male", dad_born, rng.choice(PLACES), None, commune))
                pk += 1
            shared = {s: names.middle(s) for s in ("male", "female")}
            born = mum_born + dt.timedelta(days=rng.randrange(18 * 365, 30 * 365))
            children = []
            used: set[str] = set()
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 4])):
                if born > dt.date(2025, 12, 31):
                    break
                twins = 2 if rng.random() < 0.02 else 1
                for _t in range(twins):
                    sex = rng.choice(["male", "female"])
                    middle = shared[sex] if rng.random() < 0.7 else names.middle(sex)
                    given = names.given(sex, used)
                    used.add(given)
                    child = (pk, " ".join([fam, *middle, given]), sex, born,
                             rng.choice(PLACES), mum[0], commune)
                    pk += 1
                    rows.append(child)
                    children.append(child)
                born += dt.timedelta(days=rng.randrange(600, 6 * 365))
            made += len(rows)
            if ci < LABELLED:
                families.append({"mother": mum, "children": children, "family": fam,
                                 "middle": shared})
                lone.extend(r for r in rows if r[5] is None and r is not mum)
            yield from rows
    generate.families = families
    generate.lone = lone
    generate.last_id = pk - 1


# --- planting ---------------------------------------------------------------------------------

def _fold(text: str) -> str:
    from egov.core.search import fold

    return " ".join(w.capitalize() for w in fold(text).split())


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    i = rng.randrange(len(words))
    w = words[i]
    j = rng.randrange(len(w))
    op = rng.choice(["del", "ins", "sub", "swap"]) if len(w) > 2 else "ins"
    letter = rng.choice("abcdeghiklmnopqrstuvxy")
    if op == "del":
        w = w[:j] + w[j + 1:]
    elif op == "ins":
        w = w[:j] + letter + w[j:]
    elif op == "sub":
        w = w[:j] + (letter if letter != w[j] else "z") + w[j + 1:]
    elif j < len(w) - 1 and w[j] != w[j + 1]:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    else:
        w = w[:j] + w[j + 1:]
    words[i] = w
    return " ".join(words)


def _middle(rng: random.Random, name: str, sex: str) -> str:
    words = name.split()
    middles = [k for k in range(1, len(words) - 1) if words[k] in ("Văn", "Thị", "Hữu", "Đức",
                                                                  "Ngọc", "Minh", "Thanh")]
    if middles:
        del words[rng.choice(middles)]
    else:
        words.insert(1, "Văn" if sex == "male" else "Thị")
    return " ".join(words)


def _transpose(name: str) -> str:
    words = name.split()
    if len(words) >= 3:
        words[-1], words[-2] = words[-2], words[-1]
    return " ".join(words)


def _shift(rng: random.Random, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 5))


def plant(per_kind: int, commune_ids: list[int]):
    """The queries: (kind, spec, mother_id, commune_id, original_id or None)."""
    rng = random.Random(SEED + 1)
    names = Names(rng)
    fams = generate.families
    with_kids = [f for f in fams if f["children"]]
    people = [c for f in with_kids for c in f["children"]] + generate.lone
    queries = []

    def spec(row, name=None, born=None, keep_place=None):
        keep = rng.random() < 0.7 if keep_place is None else keep_place
        return {"full_name": name or row[1], "sex": row[2], "birth_date": born or row[3],
                "birth_place": row[4] if keep else ""}

    def maybe_shift(day):
        return _shift(rng, day) if rng.random() < 1 / 3 else day

    def mother_of(row):
        return row[5] if row[5] and rng.random() < 0.5 else None

    for kind, change in (("folded diacritics", lambda r: _fold(r[1])),
                         ("Văn/Thị dropped or added", lambda r: _middle(rng, r[1], r[2])),
                         ("given names transposed", lambda r: _transpose(r[1])),
                         ("one-letter typo", lambda r: _typo(rng, r[1]))):
        for row in rng.sample([p for p in people if len(p[1].split()) >= 3], per_kind):
            queries.append((kind, spec(row, change(row), maybe_shift(row[3])), mother_of(row),
                            row[6], row[0]))
    for row in rng.sample(people, per_kind):
        queries.append(("birth date 1-5 days off", spec(row, born=_shift(rng, row[3])),
                        mother_of(row), row[6], row[0]))
    for fam in rng.sample(with_kids, per_kind):
        row = fam["children"][-1]
        name = row[1]
        if rng.random() < 0.5:
            words = name.split()
            name = " ".join([*words[:-1], names.given(row[2], {words[-1]})])
        born = row[3] + dt.timedelta(days=rng.choice([-1, 1]) * rng.randint(10, 260))
        queries.append(("same mother within 270 days", spec(row, name, born), row[5], row[6],
                        row[0]))

    # near misses
    for fam in rng.sample(with_kids, per_kind):
        last = max(c[3] for c in fam["children"])
        sex = rng.choice(["male", "female"])
        used = {c[1].split()[-1] for c in fam["children"]}
        born = last + dt.timedelta(days=rng.randint(300, 2000))
        name = " ".join([fam["family"], *fam["middle"][sex], names.given(sex, used)])
        queries.append(("near miss: sibling", {"full_name": name, "sex": sex,
                                               "birth_date": born,
                                               "birth_place": rng.choice(PLACES)},
                        fam["mother"][0], fam["mother"][6], None))
    from egov.civil.rules_names import edit_distance
    from egov.core.search import fold
    for fam in rng.sample(with_kids, per_kind):
        row = rng.choice(fam["children"])
        sex = rng.choice(["male", "female"])
        used = {fold(c[1].split()[-1]) for c in fam["children"]}
        while True:
            given = names.given(sex)
            if all(edit_distance(fold(given), u) > 1 for u in used):
                break
        name = " ".join([fam["family"], *fam["middle"][sex], given])
        queries.append(("near miss: twin, another given name",
                        {"full_name": name, "sex": sex, "birth_date": row[3],
                         "birth_place": row[4]},
                        row[5] if rng.random() < 0.7 else None, row[6], None))
    for row in rng.sample(people, per_kind):
        years = rng.randint(2, 40)
        born = row[3] + dt.timedelta(days=rng.choice([-1, 1]) * (365 * years + rng.randint(0, 300)))
        queries.append(("near miss: same name, born years apart",
                        spec(row, born=born), None, row[6], None))
    for row in rng.sample(people, per_kind):
        elsewhere = rng.choice([c for c in commune_ids[:LABELLED] if c != row[6]])
        queries.append(("near miss: namesake in another commune",
                        spec(row, born=maybe_shift(row[3])), None, elsewhere, None))
    for _ in range(per_kind * 2):
        sex = rng.choice(["male", "female"])
        name = " ".join([names.family_name(), *names.middle(sex), names.given(sex)])
        queries.append(("new person", {"full_name": name, "sex": sex,
                                       "birth_date": _day(rng, dt.date(1970, 1, 1),
                                                          dt.date(2025, 12, 31)),
                                       "birth_place": rng.choice(PLACES)},
                        None, rng.choice(commune_ids[:LABELLED]), None))
    return queries


# --- database ---------------------------------------------------------------------------------

def _unit(kind: str, name: str, electronic_id: str, parent=None):
    from egov.core.models import OrgUnit

    unit = OrgUnit.objects.filter(electronic_id=electronic_id).first()
    if unit is None:
        unit = OrgUnit.objects.create(kind=kind, name=name, abbreviation="UBND", parent=parent,
                                      electronic_id=electronic_id, place_name="Đo Lường")
    return unit


def _user(username: str, unit, role: str):
    from egov.core.models import Position, Role, User

    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username})
    if not Position.objects.filter(user=user, org_unit=unit).exists():
        pos = Position.objects.create(user=user, org_unit=unit, title="Công chức Tư pháp")
        pos.roles.set(Role.objects.filter(code=role))
    return user


def load(total: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from egov.core.models import OrgUnitKind
    from egov.core.search import fold

    province = _unit(OrgUnitKind.PROVINCE_COMMITTEE, "Ủy ban nhân dân tỉnh Hộ Tịch (bench)",
                     "000.00.00.H13")
    communes = [_unit(OrgUnitKind.COMMUNE_COMMITTEE, f"Ủy ban nhân dân xã Khai Sinh {i:03d}",
                      f"000.{i + 1:02d}.13.H13" if i < 99 else "000.99.14.H13", province).pk
                for i in range(COMMUNES)]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), coalesce(min(id), 0) FROM civil_person")
        count, min_id = cur.fetchone()
    with common.Timer("generating the persons (fixed seed)"):
        wanted = sum(1 for _row in generate(total, 1, communes))  # also keeps the families
    if count == wanted and min_id == 1:
        print(f"persons in the database: {count} (reused)")
        return province, communes
    rows = generate(total, 1, communes)
    now = timezone.now()
    with common.Timer(f"COPY {total} persons"), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE civil_person RESTART IDENTITY CASCADE")
        cols = ("id, full_name, name_folded, sex, birth_date, birth_place, mother_id, "
                "commune_id, hometown, ethnicity, nationality, residence, identity_document, "
                "identity_document_country, created_at, updated_at")
        with c.cursor.copy(f"COPY civil_person ({cols}) FROM STDIN") as copy:
            for pk, name, sex, born, place, mother, commune in rows:
                copy.write_row((pk, name, fold(name), sex, born, place, mother, commune, "",
                                "Kinh", "Việt Nam", "", "", "", now, now))
        c.execute("SELECT setval('civil_person_id_seq', %s)", [generate.last_id])
    with common.Timer("ANALYZE"), connection.cursor() as c:
        c.execute("ANALYZE civil_person")
    return province, communes


# --- measuring --------------------------------------------------------------------------------

def _pct(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[max(0, int(round(q * len(times))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=500)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--supervisor-checks", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0)
    from egov.civil.models import Person
    from egov.civil.services.duplicates import likely_duplicates

    province, communes = load(args.total)
    labelled = Person.objects.filter(commune_id__in=communes[:LABELLED]).count()
    total = Person.objects.count()
    print(f"persons: {total:,}; labelled set (first {LABELLED} communes): {labelled:,}")
    with common.Timer("planting the queries"):
        queries = plant(args.per_kind, communes)
    from egov.core.models import OrgUnit

    registrars = {c: _user(f"bench_dups_registrar_{i}", OrgUnit.objects.get(pk=c),
                           "civil_registrar") for i, c in enumerate(communes[:LABELLED])}
    supervisor = _user("bench_dups_supervisor", province, "civil_supervisor")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs, shared)")

    class Mum:
        def __init__(self, pk):
            self.pk = pk

    def check(actor, spec, mother_id):
        actor.__dict__.pop("_egov_grants", None)  # a fresh request: the grants are read again
        t0 = time.perf_counter()
        items = likely_duplicates(actor=actor, spec=spec,
                                  mother=Mum(mother_id) if mother_id else None)
        return items, (time.perf_counter() - t0) * 1000

    for q in queries[:20]:  # warm-up
        check(registrars[q[3]], q[1], q[2])
    tp = fp = fn = 0
    per_kind: dict[str, Counter] = {}
    times: list[float] = []
    for kind, spec, mother_id, commune, original in queries:
        items, ms = check(registrars[commune], spec, mother_id)
        times.append(ms)
        found = {i.person.pk for i in items}
        c = per_kind.setdefault(kind, Counter())
        c["n"] += 1
        if original is not None:
            hit = original in found
            tp += hit
            fn += not hit
            c["found"] += hit
        fp += len(found - {original})
        c["false"] += len(found - {original})
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    print(f"\n{'query kind':45} {'n':>5} {'found':>6} {'false +':>8}")
    for kind, c in per_kind.items():
        found = f"{c['found']}" if not kind.startswith(("near", "new")) else "-"
        print(f"{kind:45} {c['n']:>5} {found:>6} {c['false']:>8}")
    quality = recall >= BUDGET_RECALL and precision >= BUDGET_PRECISION
    print(f"\nquality: {len(queries)} checks, {tp + fn} planted duplicates: "
          f"precision {precision:.3f}, recall {recall:.3f} (budget recall >= {BUDGET_RECALL} "
          f"at precision >= {BUDGET_PRECISION}) {'PASS' if quality else 'FAIL'}")
    fast = _pct(times, 0.95) <= BUDGET_MS
    print(f"time per check, registrar ({total:,} persons): p50 "
          f"{statistics.median(times):.1f} ms, p95 {_pct(times, 0.95):.1f} ms, max "
          f"{max(times):.1f} ms (budget p95 <= {BUDGET_MS:.0f} ms) {'PASS' if fast else 'FAIL'}")
    sup = [check(supervisor, q[1], q[2])[1] for q in queries[::max(1, len(queries) //
                                                                   args.supervisor_checks)]]
    sup_ok = _pct(sup, 0.95) <= BUDGET_MS
    print(f"time per check, province supervisor (every commune): {len(sup)} checks, p50 "
          f"{statistics.median(sup):.1f} ms, p95 {_pct(sup, 0.95):.1f} ms, max "
          f"{max(sup):.1f} ms {'PASS' if sup_ok else 'FAIL'}")
    return 0 if quality and fast and sup_ok else 1


if __name__ == "__main__":
    sys.exit(main())
