#!/usr/bin/env bash
# The repository must be enough on its own: whoever clones it has no team
# workspace beside it. This fails when a tracked file
#   - points into the team workspace (the parent's shared folder or the
#     team's design record), or names a folder of a development machine;
#   - has a relative Markdown link to a file or folder that is not tracked
#     here (or that leaves the repository).
# Run it from anywhere; build/test.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "    not a git checkout: cannot tell tracked files, docs check skipped"
	exit 0
fi
fail=0

# The patterns are written in pieces so that this file does not match itself.
workspace=$(printf '%s\n' '\.\.''/shared' 'DESIGN''\.md' '/wo''rk/' '/ro''ot/' '/ho''me/')
if hits=$(git grep -n -I -E -f <(echo "$workspace") -- . ':!*.wfpack'); then
	echo "These tracked files point outside the repository (the team workspace or a development machine);" >&2
	echo "put what the reader needs into the repository's own docs and link those:" >&2
	echo "$hits" | sed 's/^/    /' >&2
	fail=1
fi

# Relative links in Markdown: [text](path) and [text](path#anchor).
tracked=$(git ls-files)
while IFS= read -r md; do
	dir=$(dirname "$md")
	while IFS= read -r target; do
		target=${target%%#*}
		target=${target%% *} # [text](path "title")
		case $target in '' | http://* | https://* | mailto:*) continue ;; esac
		path=$(realpath -m --relative-to=. "$dir/$target")
		case $path in
		..*)
			echo "$md: link $target leaves the repository" >&2
			fail=1
			continue
			;;
		esac
		if [ "$path" != . ] && ! grep -qxF -e "$path" <<<"$tracked" && ! grep -q "^$(printf '%s' "$path" | sed 's/[].[^$*\\/]/\\&/g')/" <<<"$tracked"; then
			echo "$md: link $target: no tracked file or folder $path" >&2
			fail=1
		fi
	done < <(grep -o '\](\([^)]*\))' "$md" | sed 's/^](\(.*\))$/\1/')
done < <(git ls-files '*.md')

[ $fail = 0 ] && echo "    docs are self-contained"
exit $fail
