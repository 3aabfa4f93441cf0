#!/usr/bin/env bash
# Second benign set for the scanner, independent of ../shared: PHP and JSP applications as
# Debian ships them (phpMyAdmin, Adminer, Roundcube, MediaWiki, DokuWiki, tt-rss, Symfony
# Console, Guzzle, Tomcat examples and manager). Downloads the .deb files with apt-get
# download (no install, no root needed for the packages themselves), unpacks them under DIR
# (default /tmp/warden-benign-debian) and prints what `warden scan` flags there: every
# finding is a false positive. Needs a built checkout (npm run build) and apt sources.
set -eu
dir=${1:-/tmp/warden-benign-debian}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir/debs" "$dir/x"
cd "$dir/debs"
apt-get download phpmyadmin adminer roundcube-core mediawiki dokuwiki tt-rss php-symfony-console php-guzzlehttp-guzzle tomcat10-examples tomcat10-admin >/dev/null
for d in *.deb; do
  n=${d%%_*}
  [ -d "$dir/x/$n" ] || { mkdir -p "$dir/x/$n" && dpkg -x "$d" "$dir/x/$n"; }
done
node "$here/dist/src/cli/main.js" scan "$dir/x" "${@:2}" || true
