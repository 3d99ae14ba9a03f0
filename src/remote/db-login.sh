# Smoke check run inside the PostgreSQL container: log in with a password (base64 on stdin) and
# print the user. -h: PostgreSQL's network name, as the apps connect; a local socket may be
# trusted without a password.
#
#   $1  host name (the service)
#   $2  user
#   $3  database
pw=$(base64 -d) || exit 97; PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 psql -X -h "$1" -U "$2" -d "$3" -tAc 'select current_user'
