#!/usr/bin/env python3
"""Rebuild the bundled Japanese font subset in static/fonts/.

Source: Noto Sans CJK JP from the Debian package ``fonts-noto-cjk``
(/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc, SIL OFL 1.1).

The subset keeps what a Japanese business/audit document needs for horizontal
text (see ``japanese_codepoints``) and drops hinting, vertical-writing data and
OpenType features that are not used for horizontal Japanese. The faces are
renamed to "Noto Sans JP Subset" so they can never be confused with a
system-installed Noto Sans CJK JP (the OFL Reserved Font Name of this font is
"Source", which is not used).

The browser gets the same glyphs as WOFF2 slices (``--web``): one file per
weight and group of characters, each declared with its ``unicode-range`` in
static/css/webfonts.css, so a page downloads only the slices holding characters
it shows. Latin, kana/punctuation and symbols come first, then the kanji this
application's own texts use most (counted in its templates, code and seed
fixtures), then the rest in code-point order. The web faces list installed Japanese system fonts by ``local()`` name
first, so a PC that has one downloads nothing. The PDF keeps the OTF files.

Usage (from the repository root, with the project venv)::

    apt-get install fonts-noto-cjk      # once, as root; this script installs nothing
    .venv/bin/python scripts/build_fonts.py [--source-dir DIR] [--out-dir DIR]
    .venv/bin/python scripts/build_fonts.py --web   # WOFF2 slices from the OTF files only

Building OTF files also rebuilds the WOFF2 slices. Requires fontTools and
brotli (dev dependencies). Output is deterministic for a given source font,
repository text and fontTools version.
"""

from __future__ import annotations

import argparse
import collections
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

try:
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont
except ImportError:  # pragma: no cover - environment problem
    sys.exit("fontTools is required: pip install 'fonttools>=4.50' (dev dependency)")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
DEFAULT_OUT_DIR = REPO_ROOT / "static" / "fonts"

FAMILY = "Noto Sans JP Subset"
PS_FAMILY = "NotoSansJPSubset"

# (source .ttc file name, style name, output file name)
FACES = [
    ("NotoSansCJK-Regular.ttc", "Regular", "NotoSansJP-Regular-subset.otf"),
    ("NotoSansCJK-Bold.ttc", "Bold", "NotoSansJP-Bold-subset.otf"),
]
# PostScript name of the Japanese member of the collection, per style.
SOURCE_PS_NAME = "NotoSansCJKjp-{style}"

# Whole Unicode blocks / ranges to keep (only code points the font maps are kept).
BLOCK_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (punctuation, ×, ÷, accented letters)
    (0x2010, 0x206F),  # general punctuation (‐ – — ‥ … ‰ ※ ‼ …)
    (0x2100, 0x214F),  # letterlike symbols (℃ № ℡ ™ …)
    (0x2150, 0x218F),  # number forms (Ⅰ…Ⅻ ⅰ…ⅻ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (①…⑳ ⑴ ⒜ Ⓐ …)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ▲ △ ◆ ◇ ○ ● …)
    (0x2600, 0x261F),  # misc symbols (★ ☆ ☎ …)
    (0x3000, 0x303F),  # CJK symbols and punctuation (ideographic space, 、。「」【】〜 …)
    (0x3040, 0x309F),  # hiragana
    (0x30A0, 0x30FF),  # katakana
    (0x31F0, 0x31FF),  # katakana phonetic extensions (Ainu small kana)
    (0x3200, 0x32FF),  # enclosed CJK letters and months (㈱ ㈲ ㊤ ㋐ ㋿ …)
    (0x3300, 0x33FF),  # CJK compatibility (㍻ ㍼ ㍽ ㍾ ㍿ ㌔ ㎡ …)
    (0xFF01, 0xFFEF),  # halfwidth and fullwidth forms
]

# Individual characters outside the encodings above that still turn up in
# Japanese names and addresses.
EXTRA_CHARS = "\U00020bb7"  # 𠮷 (tsuchi-yoshi, as in 𠮷野)

# OpenType layout features kept. Everything else (aalt, jp78/jp83/jp90, nlck,
# hist, ruby, dlig, vert/vrt2/vkrn/vpal/vhal, hangul jamo features, locl for
# CJK languages other than Japanese, …) is dropped.
LAYOUT_FEATURES = [
    "ccmp",  # composition (JIS X 0213 kana + U+309A semi-voiced mark, …)
    "liga",
    "calt",
    "kern",
    "mark",
    "mkmk",  # Latin text
    "palt",
    "halt",  # proportional / half-width CJK punctuation (CSS font-feature-settings)
    "fwid",
    "hwid",
    "pwid",  # CSS font-variant-east-asian widths
]

# Tables that only serve vertical writing or baseline alignment with other
# scripts; WeasyPrint and the web UI set Japanese horizontally.
DROP_TABLES = ["vhea", "vmtx", "VORG", "BASE", "DSIG"]


def _scan_multibyte(encoding: str, byte_seqs: Iterable[bytes]) -> set[int]:
    found: set[int] = set()
    for seq in byte_seqs:
        try:
            text = seq.decode(encoding)
        except UnicodeDecodeError:
            continue
        found.update(ord(ch) for ch in text)
    return found


def _sjis_byte_seqs() -> Iterator[bytes]:
    for b in range(0xA1, 0xE0):  # half-width katakana
        yield bytes([b])
    leads = [*range(0x81, 0xA0), *range(0xE0, 0xFD)]
    trails = [*range(0x40, 0x7F), *range(0x80, 0xFD)]
    for lead in leads:
        for trail in trails:
            yield bytes([lead, trail])


def _euc_byte_seqs() -> Iterator[bytes]:
    rows = range(0xA1, 0xFF)
    for a in rows:
        for b in rows:
            yield bytes([a, b])  # plane 1 (JIS X 0208 / JIS X 0213 plane 1)
            yield bytes([0x8F, a, b])  # plane 2 (JIS X 0213 plane 2 in euc_jis_2004)


def japanese_codepoints() -> set[int]:
    """Code points to keep: block ranges + every char of CP932 and JIS X 0208/0213."""
    cps: set[int] = set()
    for start, end in BLOCK_RANGES:
        cps.update(range(start, end + 1))
    # CP932 = JIS X 0208 + NEC special chars (①, Ⅰ, ㈱, ㍻ …) + NEC-selected and
    # IBM extensions (髙, 﨑, 鄧 …). shift_jis adds the JIS mappings that differ
    # from Microsoft's (〜 U+301C vs ～ U+FF5E, − U+2212, ‖ U+2016 …).
    for enc in ("cp932", "shift_jis", "shift_jis_2004"):
        cps |= _scan_multibyte(enc, _sjis_byte_seqs())
    # JIS X 0213:2004 planes 1 and 2 (includes some CJK Ext. B kanji such as 𠮟).
    # euc_jp's 0x8F plane is JIS X 0212 instead, which is deliberately not scanned.
    cps |= _scan_multibyte("euc_jis_2004", _euc_byte_seqs())
    # CP932 maps its user-defined area (0xF040-0xF9FC) to the Private Use Area;
    # those have no standard glyphs.
    cps -= set(range(0xE000, 0xF900))
    cps.discard(0xFFFD)
    cps.update(ord(ch) for ch in EXTRA_CHARS)
    return cps


def _find_japanese_face(ttc_path: Path, style: str) -> TTFont:
    wanted = SOURCE_PS_NAME.format(style=style)
    collection = TTCollection(str(ttc_path))
    for font in collection.fonts:
        if font["name"].getDebugName(6) == wanted:
            return font
    sys.exit(f"error: {ttc_path} does not contain a face named {wanted!r}")


def _rename(font: TTFont, style: str, source_version: str) -> None:
    """Give the subset its own names (OFL: modified version, distinct name)."""
    ps_name = f"{PS_FAMILY}-{style}"
    full_name = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    name = font["name"]
    keep = {0, 5, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [rec for rec in name.names if rec.nameID in keep]
    new = {
        1: FAMILY,
        2: style,
        3: f"{ps_name};{source_version};subset",
        4: full_name,
        6: ps_name,
        # Overwrites the designer-credit description; keep provenance visible.
        10: (
            "Subset of Noto Sans CJK JP (Debian fonts-noto-cjk) for Japanese "
            "documents, built by scripts/build_fonts.py. Licensed under the SIL "
            "Open Font License 1.1."
        ),
    }
    for name_id, value in new.items():
        name.removeNames(nameID=name_id)
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        name.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English
    # The CFF table carries its own PostScript name.
    if "CFF " in font:
        cff = font["CFF "].cff
        old = cff.fontNames[0]
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FullName = full_name
        top.FamilyName = FAMILY
        if hasattr(top, "FDArray"):
            for fd in top.FDArray:
                if getattr(fd, "FontName", "").startswith(old):
                    fd.FontName = ps_name + fd.FontName[len(old) :]


def build_face(ttc_path: Path, style: str, out_path: Path, codepoints: set[int]) -> dict[str, Any]:
    font = _find_japanese_face(ttc_path, style)
    source_version = font["name"].getDebugName(5) or "unknown version"
    mapped = set(font.getBestCmap())
    wanted = codepoints & mapped

    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.layout_scripts = ["DFLT", "latn", "kana", "hani"]
    options.hinting = False  # drop CFF hints
    options.desubroutinize = False  # keep subroutines: smaller OTF
    options.drop_tables += DROP_TABLES
    options.name_IDs = ["*"]  # names are rewritten below
    options.name_languages = ["*"]
    options.notdef_outline = True  # a visible box if something is ever missing
    options.glyph_names = False
    options.legacy_kern = False
    options.prune_unicode_ranges = True
    options.recalc_bounds = True
    options.recalc_timestamp = False  # reproducible output
    options.canonical_order = True

    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    _rename(font, style, source_version.split(";")[0])

    out_path.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = None
    font.recalcTimestamp = False  # keep the source's head.modified: reproducible output
    font.save(str(out_path))
    return {
        "path": out_path,
        "bytes": out_path.stat().st_size,
        "glyphs": font["maxp"].numGlyphs,
        "codepoints": len(font.getBestCmap()),
        "requested_unmapped": sorted(codepoints - mapped),
        "source_version": source_version,
    }


# --- WOFF2 slices for the browser -------------------------------------------------------

WEB_DIR_NAME = "web"
WEB_CSS = REPO_ROOT / "static" / "css" / "webfonts.css"
# Installed Japanese fonts, tried before anything is downloaded (full and PostScript
# names as local() matches them on Windows, macOS, Linux, Android).
LOCAL_NAMES = {
    "Regular": [
        "Noto Sans JP",
        "Noto Sans CJK JP",
        "Hiragino Sans W3",
        "Yu Gothic Medium",
        "Meiryo",
    ],
    "Bold": [
        "Noto Sans JP Bold",
        "Noto Sans CJK JP Bold",
        "Hiragino Sans W6",
        "Yu Gothic Bold",
        "Meiryo Bold",
    ],
}
WEB_WEIGHTS = {"Regular": 400, "Bold": 700}
# Slices before the kanji: what nearly every page shows.
NON_KANJI_SLICES = [
    ("latin", [(0x0000, 0x024F), (0x1E00, 0x1EFF), (0x2000, 0x20CF), (0x2100, 0x218F)]),
    ("kana", [(0x3000, 0x30FF), (0x31F0, 0x31FF), (0xFF00, 0xFFEF)]),
]
FREQUENT_SLICE_SIZE = 160  # kanji per slice among those the app's texts use
REST_SLICE_SIZE = 400  # kanji per slice for the rest
# Text of the application itself: what its pages say most.
TEXT_GLOBS = ["templates/**/*.html", "*/*.py", "*/templates/**/*.html", "fixtures/*.json"]
SKIP_DIRS = {"tests", "scripts", "bench", "static", "var", ".venv"}


def _is_kanji(cp: int) -> bool:
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
    )


def app_kanji_by_frequency(root: Path = REPO_ROOT) -> list[int]:
    counts: collections.Counter[int] = collections.Counter()
    seen: set[Path] = set()
    for pattern in TEXT_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path in seen or not path.is_file() or path.relative_to(root).parts[0] in SKIP_DIRS:
                continue
            seen.add(path)
            text = path.read_text(encoding="utf-8", errors="ignore")
            counts.update(ord(ch) for ch in text if _is_kanji(ord(ch)))
    return [cp for cp, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def web_slices(mapped: set[int], frequent: list[int]) -> list[tuple[str, list[int]]]:
    """Partition the font's code points into named slices, most used first."""
    left = set(mapped)
    slices: list[tuple[str, list[int]]] = []
    for name, ranges in NON_KANJI_SLICES:
        cps = sorted(cp for cp in left if any(lo <= cp <= hi for lo, hi in ranges))
        slices.append((name, cps))
        left -= set(cps)
    symbols = sorted(cp for cp in left if not _is_kanji(cp))
    slices.append(("symbols", symbols))
    left -= set(symbols)
    ordered = [cp for cp in frequent if cp in left]
    for i in range(0, len(ordered), FREQUENT_SLICE_SIZE):
        slices.append((f"k{len(slices) - 2:02d}", ordered[i : i + FREQUENT_SLICE_SIZE]))
    left -= set(ordered)
    # Code-point order keeps each slice's unicode-range a few runs long.
    rest = sorted(left)
    for i in range(0, len(rest), REST_SLICE_SIZE):
        slices.append((f"k{len(slices) - 2:02d}", rest[i : i + REST_SLICE_SIZE]))
    return [(name, sorted(cps)) for name, cps in slices if cps]


def unicode_range(cps: list[int], mapped: set[int]) -> str:
    """Runs of the slice's code points; code points the font lacks may join two runs."""
    runs: list[tuple[int, int]] = []
    for cp in cps:
        if runs and all(c not in mapped for c in range(runs[-1][1] + 1, cp)):
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return ",".join(f"U+{lo:X}" if lo == hi else f"U+{lo:X}-{hi:X}" for lo, hi in runs)


def build_web_fonts(otf_dir: Path, css_path: Path = WEB_CSS) -> list[tuple[Path, int]]:
    out_dir = otf_dir / WEB_DIR_NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.woff2"):
        old.unlink()
    frequent = app_kanji_by_frequency()
    written: list[tuple[Path, int]] = []
    faces: list[str] = []
    for _, style, otf_name in FACES:
        data = (otf_dir / otf_name).read_bytes()
        mapped = set(TTFont(io.BytesIO(data)).getBestCmap())
        local = ", ".join(f'local("{name}")' for name in LOCAL_NAMES[style])
        for name, cps in web_slices(mapped, frequent):
            font = TTFont(io.BytesIO(data))
            options = subset.Options()
            options.layout_features = list(LAYOUT_FEATURES)
            options.name_IDs = ["*"]
            options.name_languages = ["*"]
            options.notdef_outline = name == "latin"
            options.glyph_names = False
            options.recalc_timestamp = False
            options.flavor = "woff2"
            subsetter = subset.Subsetter(options=options)
            subsetter.populate(unicodes=cps)
            subsetter.subset(font)
            file_name = f"NotoSansJP-{style}-{name}.woff2"
            font.flavor = "woff2"
            font.recalcTimestamp = False
            font.save(str(out_dir / file_name))
            size = (out_dir / file_name).stat().st_size
            written.append((out_dir / file_name, size))
            faces.append(
                "@font-face{"
                f'font-family:"Noto Sans JP Subset";font-style:normal;'
                f"font-weight:{WEB_WEIGHTS[style]};font-display:swap;"
                f'src:{local},url("../fonts/{WEB_DIR_NAME}/{file_name}") format("woff2");'
                f"unicode-range:{unicode_range(cps, mapped)}}}"
            )
    css_path.write_text(
        "/* Generated by scripts/build_fonts.py --web: do not edit. The bundled Japanese font\n"
        "   (subset of Noto Sans CJK JP, SIL OFL 1.1, see ../fonts/README.md) for browsers,\n"
        "   in WOFF2 slices by unicode-range: a page downloads only the slices of the\n"
        "   characters it shows, none if a Japanese system font is installed. The PDF\n"
        "   reports use fonts.css (whole OTF files) instead. */\n" + "\n".join(faces) + "\n",
        encoding="utf-8",
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument(
        "--web", action="store_true", help="only rebuild the WOFF2 slices from the OTF files"
    )
    args = parser.parse_args(argv)
    if args.web:
        _report_web(build_web_fonts(args.out_dir))
        return 0

    missing = [name for name, _, _ in FACES if not (args.source_dir / name).is_file()]
    if missing:
        sys.exit(
            "error: source font(s) not found: "
            + ", ".join(str(args.source_dir / m) for m in missing)
            + "\nInstall them first (as root):  apt-get install fonts-noto-cjk"
            "\n(or pass --source-dir pointing at NotoSansCJK-Regular.ttc/-Bold.ttc)"
        )

    codepoints = japanese_codepoints()
    print(f"requested code points: {len(codepoints)}")
    for ttc_name, style, out_name in FACES:
        info = build_face(args.source_dir / ttc_name, style, args.out_dir / out_name, codepoints)
        # Code points from the encodings that the font does not have at all
        # (block ranges contain unassigned/unsupported ones, which is expected).
        from_codecs_missing = [
            cp
            for cp in info["requested_unmapped"]
            if not any(s <= cp <= e for s, e in BLOCK_RANGES)
        ]
        print(
            f"{info['path']}: "
            f"{info['bytes'] / 1024 / 1024:.2f} MiB, {info['glyphs']} glyphs, "
            f"{info['codepoints']} code points  (source: {info['source_version']})"
        )
        if from_codecs_missing:
            sample = " ".join(f"U+{cp:04X}" for cp in from_codecs_missing[:20])
            print(
                f"  note: {len(from_codecs_missing)} CP932/JIS code points not in the "
                f"source font: {sample}{' …' if len(from_codecs_missing) > 20 else ''}"
            )
    _report_web(build_web_fonts(args.out_dir))
    return 0


def _report_web(written: list[tuple[Path, int]]) -> None:
    total = sum(size for _, size in written)
    largest = max(size for _, size in written)
    print(
        f"{len(written)} WOFF2 slices, {total / 1024 / 1024:.2f} MiB in all, "
        f"largest {largest / 1024:.0f} KiB; CSS: {WEB_CSS}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
