#!/bin/bash
# The endpoints may link a static libcurl built from Debian's curl source
# (scripts/build-libcurl), which Debian's security updates do not reach:
# `dreichor-agent --version` names the source it was built from, and this
# check fails once the installed libcurl4 is newer. The fix is to run
# scripts/build-libcurl again and rebuild (docs/operations.md).
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd dpkg-query

line=$("$top_builddir/dreichor-agent" --version | sed -n 's/^endpoint libcurl: //p')
check "--version names the endpoints' libcurl" test -n "$line"
case $line in
static,*)
	built=${line##* }
	installed=$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null)
	check "libcurl4 is installed to compare with" test -n "$installed"
	log "built in: curl $built; installed libcurl4: $installed"
	check "the installed libcurl4 ($installed) is not newer than the built-in one ($built): else run scripts/build-libcurl and rebuild" \
		dpkg --compare-versions "$installed" le "$built"
	;;
*)
	check "otherwise the system's libcurl, which Debian's updates reach" test "$line" = "the system's shared libcurl"
	;;
esac
finish
