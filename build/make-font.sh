#!/usr/bin/env bash
# make-font.sh — regenerate the kiosk's bundled CJK font (kiosk/theme/fonts/).
#
# Fyne cannot load .ttc font collections, and Debian's Noto CJK ships only
# those, so this script pulls the Simplified Chinese face ("Noto Sans CJK SC",
# index 2 of the collection) out of Debian's fonts-noto-cjk, Regular and Bold,
# and subsets each to what the kiosk can ever show:
#
#   - all of GB2312 (6,763 hanzi plus its symbol rows: punctuation, full-width
#     forms, circled and parenthesised numbers, Greek, Cyrillic, box drawing);
#   - ASCII, Latin-1, General Punctuation, CJK Symbols and Punctuation,
#     Halfwidth and Fullwidth Forms, arrows and a few UI marks (✓ × ★ ●; Noto CJK has no ✗);
#   - every character used by a content pack in the tree (content/**/*.yaml),
#     so a pack written here never needs a glyph the font lacks.
#
# The result is committed; CI and builds never need fonttools. Rerun this after
# adding a pack whose text uses characters outside GB2312 (the kiosk/theme
# tests fail when that happens and name the missing characters).
#
# Needs: fonts-noto-cjk and python3-fonttools (apt-get install fonts-noto-cjk
# python3-fonttools). Usage, from anywhere in the repository:
#
#   build/make-font.sh            # writes kiosk/theme/fonts/NotoSansSC-{Regular,Bold}.otf
#
# Output is deterministic for a given fonts-noto-cjk and fonttools version.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=${NOTO_CJK_DIR:-/usr/share/fonts/opentype/noto}
out="$repo/kiosk/theme/fonts"
# Debian's fonttools lives in the system Python; prefer it over any other
# python3 on PATH (pyenv and virtualenvs usually lack it).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import fontTools' 2>/dev/null || {
	echo "make-font.sh: fonttools is missing: apt-get install python3-fonttools" >&2
	exit 1
}
for w in Regular Bold; do
	[ -r "$src/NotoSansCJK-$w.ttc" ] || {
		echo "make-font.sh: $src/NotoSansCJK-$w.ttc not found: apt-get install fonts-noto-cjk" >&2
		exit 1
	}
done

# fontTools stamps head.modified with the current time unless told
# otherwise: use the source package's date, so reruns give identical files.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$src/NotoSansCJK-Regular.ttc")}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# The character list: GB2312 decoded row by row, fixed ranges, pack texts.
"$py" - "$repo" >"$work/chars.txt" <<'PY'
import glob, os, sys
repo = sys.argv[1]
chars = set()
# GB2312: rows 0xA1..0xF7, cells 0xA1..0xFE; undefined cells fail to decode.
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
ranges = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x2190, 0x21FF),  # Arrows
    (0x2460, 0x24FF),  # Enclosed Alphanumerics
    (0x25A0, 0x25FF),  # Geometric Shapes
    (0x2600, 0x26FF),  # Miscellaneous Symbols (★ ☆ ☎ ⚠ ...)
    (0x2700, 0x27BF),  # Dingbats (✓ ...; Noto CJK lacks ✗ ✔ ✘: use ×)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]
for a, b in ranges:
    chars.update(chr(c) for c in range(a, b + 1))
for path in sorted(glob.glob(os.path.join(repo, "content", "**", "*.yaml"), recursive=True)):
    with open(path, encoding="utf-8") as f:
        chars.update(f.read())
import unicodedata
chars = {c for c in chars if not unicodedata.category(c).startswith("C")}
sys.stdout.write("".join(sorted(chars)))
PY

for w in Regular Bold; do
	"$py" - "$src/NotoSansCJK-$w.ttc" "$work/SC-$w.otf" <<'PY'
import sys
from fontTools.ttLib import TTCollection
coll = TTCollection(sys.argv[1])
for font in coll.fonts:
    if font["name"].getDebugName(1) == "Noto Sans CJK SC":
        font.save(sys.argv[2])
        break
else:
    sys.exit("make-font.sh: no Noto Sans CJK SC face in " + sys.argv[1])
PY
	# Vertical metrics (vhea, vmtx, VORG) and the vert, locl and ccmp
	# features serve vertical layout, other CJK locales and composition, none
	# of which the kiosk does; dropping them halves the glyph count (the GSUB
	# closure pulled in ~6,000 alternates). Hinting is useless at kiosk text
	# sizes. Glyphs the face lacks (some arrows and dingbats) are skipped.
	"$py" -m fontTools.subset "$work/SC-$w.otf" \
		--text-file="$work/chars.txt" \
		--layout-features='kern,liga' \
		--drop-tables+=vhea,vmtx,VORG,BASE \
		--no-hinting \
		--name-IDs='*' --name-languages='*' \
		--notdef-outline \
		--output-file="$out/NotoSansSC-$w.otf"
done
ls -l "$out"/NotoSansSC-*.otf
