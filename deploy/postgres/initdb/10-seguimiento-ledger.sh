#!/bin/bash
# Creates the lead ledger's own role and database next to Temporal's, so the app never connects as
# the PostgreSQL superuser that Temporal uses. The postgres image runs this once, when the data
# volume is first initialised; changing SEGUIMIENTO_DB_PASSWORD later does not change the role's
# password (use ALTER ROLE, or recreate the volume).
#
# The image may source this file instead of executing it, so it must not `exit` or `set -u`.
set -e

: "${SEGUIMIENTO_DB_NAME:?SEGUIMIENTO_DB_NAME must be set}"
: "${SEGUIMIENTO_DB_USER:?SEGUIMIENTO_DB_USER must be set}"
: "${SEGUIMIENTO_DB_PASSWORD:?SEGUIMIENTO_DB_PASSWORD must be set}"

# psql variables (:"ident" / :'literal') quote the values, so any password is safe here.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v ledger_db="$SEGUIMIENTO_DB_NAME" \
  -v ledger_user="$SEGUIMIENTO_DB_USER" \
  -v ledger_password="$SEGUIMIENTO_DB_PASSWORD" <<'SQL'
CREATE ROLE :"ledger_user" LOGIN PASSWORD :'ledger_password';
CREATE DATABASE :"ledger_db" OWNER :"ledger_user";
REVOKE ALL ON DATABASE :"ledger_db" FROM PUBLIC;
SQL
