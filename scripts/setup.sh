# Sourced by scripts/carta and scripts/test: installs and starts what Carta's
# build and tests need, only when it is missing. Debian/Ubuntu packages.
# Safe to run again: every step checks first.

set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        echo "setup: apt-get update" >&2
        as_root apt-get update -qq >&2
        APT_UPDATED=1
    fi
    echo "setup: installing $*" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

have_package() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# pg_query's build runs bindgen, which needs libclang and clang's headers;
# its C code needs a C compiler.
ensure_build_deps() {
    local missing=()
    for pkg in libclang1-14 libclang-common-14-dev gcc libc6-dev; do
        have_package "$pkg" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
    if [ -z "${LIBCLANG_PATH:-}" ] && [ -d /usr/lib/llvm-14/lib ]; then
        export LIBCLANG_PATH=/usr/lib/llvm-14/lib
    fi
}

# PostgreSQL on 127.0.0.1:5432 with user postgres and trust auth on loopback.
ensure_postgres() {
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql postgresql-contrib
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    # Tests connect as postgres over loopback without a password: a test machine's setting.
    if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && return
        sleep 1
    done
    echo "setup: PostgreSQL did not start on 127.0.0.1:5432" >&2
    return 1
}

# MariaDB on 127.0.0.1:3306 with root and an empty password over TCP.
ensure_mariadb() {
    if mariadb_ready; then return; fi
    command -v mariadbd >/dev/null 2>&1 || apt_install mariadb-server mariadb-client
    if ! mariadb-admin ping --silent >/dev/null 2>&1; then
        as_root mkdir -p /run/mysqld
        as_root chown mysql:mysql /run/mysqld
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1
        for _ in $(seq 1 30); do
            mariadb-admin ping --silent >/dev/null 2>&1 && break
            sleep 1
        done
    fi
    if ! mariadb_ready; then
        # A fresh Debian install lets root in through the socket only.
        as_root mariadb -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket; FLUSH PRIVILEGES;"
    fi
    mariadb_ready || { echo "setup: MariaDB is not reachable as root on 127.0.0.1:3306" >&2; return 1; }
}

mariadb_ready() {
    mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1
}

ensure_cargo() {
    command -v cargo >/dev/null 2>&1 && return
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found: install the Rust toolchain (rustup) first" >&2; return 1; }
}

# Headless Chromium and its WebDriver, for the HTML site's browser test
# (crates/carta-doc/tests/browser.rs).
ensure_chromium() {
    if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
    apt_install chromium chromium-driver
}
