#!/bin/sh
# Start PgBouncer with the application's database user: the auth file is written from the
# environment at every start (nothing secret is baked into the image).
set -eu

: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"

# userlist.txt: "user" "password", a double quote inside a value written twice.
quote() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"
}

umask 077
{
    quote "$POSTGRES_USER"
    printf ' '
    quote "$POSTGRES_PASSWORD"
    printf '\n'
} > /run/pgbouncer/userlist.txt

exec pgbouncer /etc/pgbouncer/pgbouncer.ini
