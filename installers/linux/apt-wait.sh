# Sourced by .ci/run and installers/linux/test-deb.sh: apt-get that waits for the package locks instead of
# failing when another install (unattended-upgrades, a second CI job, a person) holds them.
#   apt_get ARGS...   apt-get with DPkg::Lock::Timeout (the dpkg frontend lock, taken by install/remove/purge);
#                     `apt-get update` takes the lists lock, which apt 2.6 does not wait for: it is retried
#                     while its error says a lock is held. Both bounded by APT_LOCK_TIMEOUT seconds (300).
# Install and remove .deb files with `apt_get install ./x.deb` / `apt_get remove NAME`, never bare dpkg -i/-r.

APT_LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-300}

apt_get() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) err rc
  err=$(mktemp)
  while :; do
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" 2>"$err" || rc=$?
    if [ "$rc" = 0 ] || ! grep -q "Could not get lock\|Unable to lock\|is another process using it" "$err" \
        || [ "$SECONDS" -ge "$deadline" ]; then
      cat "$err" >&2
      rm -f "$err"
      return "$rc"
    fi
    echo "apt-get $1: a package lock is held by another process; waiting (up to ${APT_LOCK_TIMEOUT} s in all)" >&2
    sleep 5
  done
}
