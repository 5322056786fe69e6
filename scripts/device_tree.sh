#!/usr/bin/env bash
# Take the large tracked files out of what travels to a lent GPU machine (the `device` tool sends tracked and
# untracked-not-ignored files, at most 64 MiB; this tree tracks ~78 MB), and put them back afterwards.
#
#   bash scripts/device_tree.sh out    # large tracked files out of git's index and ignored; prints what travels
#   ...                                # the device call (carry .gpu: python -m bench.reader_pack's bundle)
#   bash scripts/device_tree.sh in     # back in the index, the ignore lines removed; `git status` as before
#
# The files themselves never move. The device machine needs none of them (the bundle holds the reader's data).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
list=.git/device_tree_paths
exclude=.git/info/exclude
case "${1:-}" in
  out)
    if [ -s "$list" ]; then echo "already out (see $list); run: $0 in" >&2; exit 1; fi
    git ls-files -z | xargs -0 du -b | awk '$1 >= 4000000 {print $2}' > "$list"
    while read -r path; do
      git rm -q --cached -- "$path"
      echo "/$path" >> "$exclude"
    done < "$list"
    echo "out of the index: $(wc -l < "$list") files"
    echo "travels (without carried paths): $(git ls-files -co --exclude-standard -z | xargs -0 du -cb | tail -1 | cut -f1) bytes"
    ;;
  in)
    [ -s "$list" ] || { echo "nothing is out" >&2; exit 1; }
    xargs -a "$list" -d '\n' git reset -q --
    cp "$exclude" "$exclude.bak"
    sed 's|^|/|' "$list" | grep -v -x -F -f - "$exclude" > "$exclude.tmp" || true
    mv "$exclude.tmp" "$exclude"
    rm -f "$list"
    echo "back in the index"
    ;;
  *) echo "usage: $0 out|in" >&2; exit 2 ;;
esac
